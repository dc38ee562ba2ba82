import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  aLetter,
  pdfText,
  REVEALING_CARE_TYPE,
  REVEALING_VISIT_TYPE,
} from '../../../test/kivra/letter-facts.ts';
import { buildKivraContent, kivraContentBody } from './kivra-content.ts';
import { MAX_SUBJECT_CHARS, type LetterKind } from './kivra-letter.ts';

const KINDS: readonly LetterKind[] = [
  'booked',
  'rebooked',
  'invited',
  'open-invitation',
  'cancelled',
  'invitation-withdrawn',
];

const pdfOf = async (facts = aLetter()) =>
  Buffer.from((await buildKivraContent(facts)).parts[0]!.data, 'base64');
const htmlOf = async (facts = aLetter()) =>
  Buffer.from((await buildKivraContent(facts)).parts[0]!.responsive_part!.data, 'base64').toString(
    'utf8',
  );

describe('Kivra content (v2)', () => {
  it('makes a booking with the v2 shape: booking at the top level, the PDF and HTML in parts', async () => {
    const content = await buildKivraContent(aLetter(), { infoUrl: 'https://example.se/info' });
    assert.equal(content.type, 'booking');
    assert.equal(content.subject, 'Bokad tid');
    assert.equal(content.generated_at, '2026-05-01');
    assert.deepEqual(content.booking, {
      title: 'Besök',
      start_time: '2026-06-19T09:00:00+02:00',
      end_time: '2026-06-19T09:30:00+02:00',
      location: 'Vårdcentralen Ekbacken, Storgatan 1, 753 20 Uppsala',
      description: 'Kom gärna några minuter före utsatt tid. Om- och avbokning görs via 1177.se.',
      info_url: 'https://example.se/info',
    });
    assert.equal(content.parts.length, 1);
    assert.equal(content.parts[0]!.content_type, 'application/pdf');
    assert.equal(content.parts[0]!.responsive_part?.content_type, 'text/html');
    const json = JSON.parse(await kivraContentBody(aLetter())) as Record<string, unknown>;
    assert.equal('context' in json, false, 'v1 context must not be used');
    assert.equal('files' in json, false, 'v1 files must not be used');
  });

  it('names only the unit as location when it has no address', async () => {
    const content = await buildKivraContent(aLetter({ unitAddress: undefined }));
    assert.equal(content.booking?.location, 'Vårdcentralen Ekbacken');
  });

  it('sends a cancellation and the letters without a time as type letter, with no booking object', async () => {
    for (const kind of ['cancelled', 'open-invitation', 'invitation-withdrawn'] as const) {
      const content = await buildKivraContent(
        aLetter(
          kind === 'cancelled' ? { kind } : { kind, startUtcMs: undefined, endUtcMs: undefined },
        ),
      );
      assert.equal(content.type, 'letter', kind);
      assert.equal(content.booking, undefined, kind);
    }
    const moved = await buildKivraContent(aLetter({ kind: 'rebooked' }));
    assert.equal(moved.type, 'booking');
    assert.equal(moved.subject, 'Ombokad tid');
  });

  it('never puts the reason for the visit in subject, title or description, for any letter', async () => {
    for (const kind of KINDS) {
      const content = await buildKivraContent(aLetter({ kind }));
      const visible = JSON.stringify([
        content.subject,
        content.booking?.title,
        content.booking?.description,
      ]);
      assert.doesNotMatch(visible, new RegExp(REVEALING_VISIT_TYPE, 'i'), kind);
      assert.doesNotMatch(visible, new RegExp(REVEALING_CARE_TYPE, 'i'), kind);
      assert.ok([...content.subject].length <= MAX_SUBJECT_CHARS, kind);
    }
  });

  it('renders the same PDF bytes twice for the same letter, dated by the change', async () => {
    const first = await pdfOf();
    const second = await pdfOf();
    assert.ok(first.equals(second), 'a retry must resend identical bytes');
    assert.match(
      first.toString('latin1'),
      /\(D:20260501100000Z\)/,
      'CreationDate is the change time',
    );
    const later = await pdfOf(aLetter({ changedAtUtcMs: Date.UTC(2026, 4, 2, 10, 0) }));
    assert.ok(!first.equals(later), 'another change is another letter');
  });

  it('writes date, time, unit, address and how to rebook into the PDF', async () => {
    const text = pdfText(await pdfOf());
    for (const expected of [
      'Din bokade tid',
      'fredag 19 juni 2026',
      '09:00–09:30',
      'Vårdcentralen Ekbacken',
      'Storgatan 1, 753 20 Uppsala',
      REVEALING_VISIT_TYPE,
      'B-1001',
      '1177.se',
    ])
      assert.ok(text.includes(expected), `PDF text lacks "${expected}": ${text}`);
  });

  it('says plainly in a cancellation PDF that Kivra cannot withdraw the booking', async () => {
    const text = pdfText(await pdfOf(aLetter({ kind: 'cancelled' })));
    assert.ok(
      text.includes(
        'Din tid hos Vårdcentralen Ekbacken fredag 19 juni 2026 klockan 09:00 är avbokad',
      ),
      text,
    );
    assert.ok(text.includes('Kivra kan inte ta bort en bokning'), text);
  });

  it('invites to book via 1177 in an open invitation, with the time type and the last day', async () => {
    const text = pdfText(
      await pdfOf(
        aLetter({
          kind: 'open-invitation',
          startUtcMs: undefined,
          endUtcMs: undefined,
          expiresOn: '20260630',
        }),
      ),
    );
    for (const expected of [
      'Kallelse: boka en tid',
      '1177.se',
      'Boka senast 30 juni 2026',
      REVEALING_VISIT_TYPE,
    ])
      assert.ok(text.includes(expected), `PDF text lacks "${expected}": ${text}`);
  });

  it('writes the HTML part with the same text, no script and nothing remote', async () => {
    const html = await htmlOf(aLetter({ unitName: 'Mottagning <A&B>' }));
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /(src|href)\s*=|url\(|https?:\/\//i);
    assert.ok(html.includes('Mottagning &lt;A&amp;B&gt;'), 'unit name escaped');
    assert.ok(html.includes('<dd>fredag 19 juni 2026</dd>'));
    assert.ok(html.includes('<dd>09:00–09:30</dd>'));
    assert.ok(html.includes(`<dd>${REVEALING_VISIT_TYPE}</dd>`));
  });

  it('writes Stockholm offsets right across both DST changes', async () => {
    const startOf = async (utcMs: number) =>
      (await buildKivraContent(aLetter({ startUtcMs: utcMs, endUtcMs: utcMs + 3_600_000 })))
        .booking;
    // 28 March 2027: 02:00 CET becomes 03:00 CEST.
    assert.deepEqual(
      await startOf(Date.UTC(2027, 2, 28, 0, 30)).then((b) => [b?.start_time, b?.end_time]),
      ['2027-03-28T01:30:00+01:00', '2027-03-28T03:30:00+02:00'],
    );
    // 31 October 2027: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
    assert.deepEqual(
      await startOf(Date.UTC(2027, 9, 31, 0, 30)).then((b) => [b?.start_time, b?.end_time]),
      ['2027-10-31T02:30:00+02:00', '2027-10-31T02:30:00+01:00'],
    );
    assert.equal(
      (await startOf(Date.UTC(2027, 0, 15, 8, 0)))?.start_time,
      '2027-01-15T09:00:00+01:00',
    );
  });
});
