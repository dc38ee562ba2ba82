import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetSubjectOfCareSchedule } from '../contracts/scheduling.ts';
import { RESPONSE_ENVELOPE } from '../soap/envelope.ts';
import { answerPrefixesFor, encodeElement, encodeElementBytes, prefixesFor } from './encode.ts';
import { parseXml } from './parse.ts';

const I = GetSubjectOfCareSchedule;
const NS_CORE = 'urn:riv:crm:scheduling:1';
const prefixes = prefixesFor(I.response);
const { head, tail } = RESPONSE_ENVELOPE;

/**
 * A schedule of `n` entries whose texts hold letters outside ASCII, a character
 * outside the BMP, characters to escape and one XML cannot carry.
 */
const scheduleOf = (n: number) => ({
  timeslotDetail: Array.from({ length: n }, (_, i) => ({
    startTimeInclusive: '20261207080000',
    endTimeExclusive: '20261207082000',
    healthcare_facility: 'SE2321000016-F001',
    bookingId: `B-${i}`,
    reason: `Ont i hälen 🦶 <${i}> & mer\r\u0001`,
    performerName: i % 3 === 0 ? 'Åsa Öberg' : 'Anna Lind',
    healthcare_facility_name: 'Vårdcentralen Åby',
    cancel_booking_allowed: i % 2 === 0,
  })),
});

const asString = (value: ReturnType<typeof scheduleOf>) =>
  head + encodeElement(`${I.name}Response`, I.responderNs, I.response, value, prefixes) + tail;
const asBytes = (value: ReturnType<typeof scheduleOf>) =>
  encodeElementBytes(`${I.name}Response`, I.responderNs, I.response, value, prefixes, head, tail);

describe('encodeElementBytes', () => {
  it('writes a small answer as one chunk, the same bytes as the text', () => {
    const value = scheduleOf(2);
    const chunks = asBytes(value);
    assert.equal(chunks.length, 1);
    assert.deepEqual(chunks[0], Buffer.from(asString(value), 'utf8'));
  });

  it('cuts a long answer into chunks between list items, each whole UTF-8, together the same bytes', () => {
    const value = scheduleOf(2000);
    const chunks = asBytes(value);
    assert.ok(chunks.length > 3, `${chunks.length} chunks`);
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(asString(value), 'utf8'));
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (const [i, chunk] of chunks.entries()) {
      const text = decoder.decode(chunk);
      // The last chunk is only the closing tags when the last item ended a chunk.
      if (i > 0)
        assert.match(
          text,
          i < chunks.length - 1 ? /^<ns\d+:timeslotDetail>/ : /^<(ns\d+:timeslotDetail|\/)/,
          `chunk ${i} starts an item`,
        );
      if (i < chunks.length - 1)
        assert.match(text, /<\/ns\d+:timeslotDetail>$/, `chunk ${i} ends one`);
    }
  });

  it('still refuses an answer that lacks a mandatory element', () => {
    const value = scheduleOf(1);
    const broken = {
      timeslotDetail: [{ ...value.timeslotDetail[0]!, healthcare_facility: undefined }],
    };
    assert.throws(
      () => asBytes(broken as never),
      /mandatory element healthcare_facility has no value/,
    );
  });
});

describe('answerPrefixesFor', () => {
  it('writes the namespace most elements are in as the default, and keeps every element in its namespace', () => {
    const answerPrefixes = answerPrefixesFor(I.response);
    assert.equal(answerPrefixes.get(NS_CORE), '');
    assert.notEqual(answerPrefixes.get(I.responderNs), '');
    const value = scheduleOf(2);
    const text = encodeElement(
      `${I.name}Response`,
      I.responderNs,
      I.response,
      value,
      answerPrefixes,
    );
    assert.match(
      text,
      /^<ns1:GetSubjectOfCareScheduleResponse [^>]*xmlns="urn:riv:crm:scheduling:1"/,
    );
    assert.match(
      text,
      /<ns1:timeslotDetail><startTimeInclusive>20261207080000<\/startTimeInclusive>/,
    );
    assert.ok(
      text.length <
        encodeElement(`${I.name}Response`, I.responderNs, I.response, value, prefixes).length,
    );
    // The same elements in the same namespaces as with a prefix for every namespace.
    const names = (xml: string) => {
      const out: string[] = [];
      const walk = (e: ReturnType<typeof parseXml>) => {
        out.push(`{${e.ns}}${e.local}=${e.children.length === 0 ? e.text : ''}`);
        e.children.forEach(walk);
      };
      walk(parseXml(xml));
      return out;
    };
    assert.deepEqual(
      names(text),
      names(encodeElement(`${I.name}Response`, I.responderNs, I.response, value, prefixes)),
    );
  });
});
