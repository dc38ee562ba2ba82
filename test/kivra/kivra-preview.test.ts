/** `tidbok kivra preview <bookingId>`: the PDF and JSON Kivra would get, person id masked, nothing sent. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../src/services.ts';
import {
  bookingOfSlot,
  seedTestCalendar,
  PATIENT,
  type SeededCalendar,
} from '../support/test-calendar.ts';
import { pdfText } from './letter-facts.ts';
import { runTidbok } from '../support/run-tidbok.ts';

describe('tidbok kivra preview', () => {
  let dir: string;
  let db: string;
  let services: Services;
  let calendar: SeededCalendar;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-kivra-preview-'));
    db = join(dir, 'tidbok.db');
    services = createServices({ store: db });
    calendar = await seedTestCalendar(services.store);
  });
  after(async () => {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tidbok = (...args: string[]) =>
    runTidbok({ TIDBOK_DB: db, KIVRA_INFO_URL: 'https://vard.example.se/kivra' }, ...args);

  it('writes the booking letter as PDF and JSON with the personnummer masked', async () => {
    const slot = calendar.doctorSlots[0]!;
    const made = await services.service.makeBooking(bookingOfSlot(slot, 'staff'));
    assert.ok(made.ok, JSON.stringify(made));
    const id = made.value.id;
    const out = join(dir, 'out');
    const run = await tidbok('kivra', 'preview', id, '--out', out);
    assert.equal(run.code, 0, run.err.join('\n'));
    assert.deepEqual(run.out, [
      `Kivra booking "Bokad tid" (booked) for 19121212-****: wrote ${join(out, `kivra-${id}.pdf`)} and ${join(out, `kivra-${id}.json`)}.`,
    ]);
    const json = readFileSync(join(out, `kivra-${id}.json`), 'utf8');
    assert.doesNotMatch(json, new RegExp(PATIENT));
    const content = JSON.parse(json) as {
      ssn: string;
      booking: { info_url: string };
      parts: { data: string }[];
    };
    assert.equal(content.ssn, '19121212-****');
    assert.equal(content.booking.info_url, 'https://vard.example.se/kivra');
    const pdf = readFileSync(join(out, `kivra-${id}.pdf`));
    assert.ok(
      pdf.equals(Buffer.from(content.parts[0]!.data, 'base64')),
      'the PDF file is the part sent',
    );
    assert.ok(pdfText(pdf).includes('Vårdcentralen Kungsholmen'));
    assert.equal((await services.outbox.status()).pending, 0, 'preview queues nothing');
  });

  it('says so when the booking does not exist', async () => {
    const run = await tidbok('kivra', 'preview', 'no-such-booking', '--out', dir);
    assert.equal(run.code, 1);
    assert.match(run.err.join('\n'), /no booking or invitation with id no-such-booking/);
  });
});
