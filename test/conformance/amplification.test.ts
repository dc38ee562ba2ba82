/**
 * Hostile request bodies (issue 19 item 10): an answer or log line is never
 * much larger than the question's names would make it, and one huge name
 * costs no more than its bytes to read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MakeBooking } from '../../src/contracts/scheduling.ts';
import { captureLogs, type CapturedLogs } from '../support/log-capture.ts';
import { assertFault, postSoap, requestEnvelope, wrapRequest } from '../support/soap-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { asPatient, makeBookingRequest, personnummer } from './consumer.ts';

const HUGE = 1_000_000;
/** Far above any name a fault may quote, far below the body it came in. */
const MAX_ANSWER_CHARS = 2_000;

describe('amplification', () => {
  let t: TestApp;
  let logs: CapturedLogs;
  before(async () => {
    logs = captureLogs();
    t = await startTestApp({ logger: logs.logger });
  });
  after(() => t.close());

  const hugeName = (c: string) => `n${c.repeat(HUGE)}`;

  /** A valid MakeBooking envelope for a new patient, as text to spoil. */
  const makeBookingEnvelope = (n: number) => {
    const patient = personnummer(n);
    return requestEnvelope(
      MakeBooking,
      makeBookingRequest(t.calendar.doctorSlots[0]!, patient),
      asPatient(patient),
    );
  };

  it('a 1 MB unknown request element gives a short fault and a short log line', async () => {
    const before = logs.lines.length;
    const answer = await postSoap(
      t.url + MakeBooking.path,
      wrapRequest(`<x:${hugeName('a')} xmlns:x="urn:x"/>`, { logicalAddress: FACILITY }),
      { 'x-skltp-correlation-id': 'amp-1' },
    );
    assertFault(answer, 'Client');
    assert.ok(answer.text.length < MAX_ANSWER_CHARS, `${answer.text.length} characters`);
    const lines = logs.lines.slice(before);
    assert.ok(lines.some((l) => l.includes('amp-1')));
    for (const line of lines)
      assert.ok(line.length < MAX_ANSWER_CHARS, `${line.length} characters`);
  });

  it('a 1 MB element name inside a known request gives a short fault', async () => {
    const request = makeBookingEnvelope(1900).replace(
      /(<\/\w+:MakeBooking>)/,
      `<y:${hugeName('b')} xmlns:y="${MakeBooking.responderNs}"/>$1`,
    );
    assert.ok(request.length > HUGE);
    const answer = await postSoap(t.url + MakeBooking.path, request);
    assertFault(answer, 'Client');
    assert.ok(answer.text.length < MAX_ANSWER_CHARS, `${answer.text.length} characters`);
  });

  it('a 1 MB namespace on a known element, or on a mustUnderstand header, gives a short fault', async () => {
    const ns = `urn:${'c'.repeat(HUGE)}`;
    const misplaced = makeBookingEnvelope(1901).replace(
      /<(\w+):subject_of_care_info>(.*)<\/\1:subject_of_care_info>/,
      (_, prefix: string, inner: string) =>
        `<z:subject_of_care_info xmlns:z="${ns}">${inner}</z:subject_of_care_info>`,
    );
    assert.ok(misplaced.length > HUGE);
    const header = wrapRequest('<x:Ping xmlns:x="urn:x"/>', {
      logicalAddress: FACILITY,
      extraHeaders: `<h:Big xmlns:h="${ns}" xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:mustUnderstand="1"/>`,
    });
    for (const [body, code] of [
      [misplaced, 'Client'],
      [header, 'MustUnderstand'],
    ] as const) {
      const answer = await postSoap(t.url + MakeBooking.path, body);
      assertFault(answer, code);
      assert.ok(answer.text.length < MAX_ANSWER_CHARS, `${answer.text.length} characters`);
    }
  });

  it('an unknown element with a long but legal name is named, cut short', async () => {
    const name = `Unknown${'X'.repeat(200)}`;
    const answer = await postSoap(
      t.url + MakeBooking.path,
      wrapRequest(`<x:${name} xmlns:x="urn:x"/>`, { logicalAddress: FACILITY }),
    );
    assertFault(answer, 'Client', /unknown request element \{urn:x\}UnknownX+…/);
    assert.ok(!answer.text.includes(name));
  });

  it('stays live while eight 1 MB bodies are refused at once', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) =>
      postSoap(
        t.url + MakeBooking.path,
        wrapRequest(`<x:${hugeName(String(i))} xmlns:x="urn:x"/>`, { logicalAddress: FACILITY }),
      ),
    );
    const live = fetch(`${t.url}/health/live`);
    for (const answer of await Promise.all(bodies)) assertFault(answer, 'Client');
    assert.equal((await live).status, 200);
  });
});
