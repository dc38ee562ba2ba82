/**
 * Every booking event in, the exact Kivra request out: SOAP calls and staff
 * actions on the real app, letters delivered by the outbox to the Kivra
 * simulator, and what the simulator received checked field by field, the
 * PDF by its extracted text.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { tsToInstant } from '../../src/domain/local-time.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import type { KivraAcceptedContent } from '../../src/dev/kivra-simulator.ts';
import { soapCancelBooking, soapMakeBooking, soapUpdateBooking } from '../support/booking-calls.ts';
import {
  DOCTOR,
  FACILITY,
  OTHER_PATIENT,
  PATIENT,
  PATIENT_INFO,
} from '../support/test-calendar.ts';
import { pdfText } from './letter-facts.ts';
import { startKivraTestApp, type KivraTestApp } from './kivra-test-app.ts';

const iso = (utcMs: number) =>
  DateTime.fromMillis(utcMs, { zone: 'Europe/Stockholm' }).toISO({ suppressMilliseconds: true });
const swedishDate = (utcMs: number) =>
  DateTime.fromMillis(utcMs, { zone: 'Europe/Stockholm' })
    .setLocale('sv')
    .toFormat('cccc d LLLL yyyy');
const hhmm = (utcMs: number) =>
  DateTime.fromMillis(utcMs, { zone: 'Europe/Stockholm' }).toFormat('HH:mm');

type Part = { name: string; data: string; content_type: string; responsive_part: Part };
const partsOf = (c: KivraAcceptedContent) => c.content['parts'] as Part[];
const pdfOf = (c: KivraAcceptedContent) => pdfText(Buffer.from(partsOf(c)[0]!.data, 'base64'));
const htmlOf = (c: KivraAcceptedContent) =>
  Buffer.from(partsOf(c)[0]!.responsive_part.data, 'base64').toString('utf8');

/** The notification-visible fields must not tell why the patient comes (time type or care type). */
function assertNoVisitReason(c: KivraAcceptedContent) {
  const booking = c.content['booking'] as Record<string, string> | undefined;
  const visible = JSON.stringify([
    c.content['subject'],
    booking?.['title'],
    booking?.['description'],
  ]);
  for (const name of ['Läkarbesök', 'Provtagning', 'Uppföljning', 'Allmänmedicin', 'Laboratorium'])
    assert.doesNotMatch(visible, new RegExp(name, 'i'));
}

describe('Kivra letters for every booking event', () => {
  let t: KivraTestApp;
  let seen = 0;
  before(async () => {
    t = await startKivraTestApp({ keyGapMs: 0 });
  });
  after(() => t.close());
  afterEach(() => {
    seen = t.kivra.contents.length;
  });

  /** Contents accepted since the previous test. */
  async function received(): Promise<KivraAcceptedContent[]> {
    await t.drained();
    return t.kivra.contents.slice(seen);
  }

  const bookingOf = (slot: Timeslot, subject: string) => ({
    title: 'Besök',
    start_time: iso(slot.start.utcMs),
    end_time: iso(slot.end.utcMs),
    location: 'Vårdcentralen Kungsholmen',
    description: 'Kom gärna några minuter före utsatt tid. Om- och avbokning görs via 1177.se.',
    subject,
  });

  it('sends a booking made over SOAP as a v2 booking with the PDF and HTML parts', async () => {
    const slot = t.calendar.doctorSlots[0]!;
    const bookingId = await soapMakeBooking(t.url, slot);
    const [content, ...more] = await received();
    assert.equal(more.length, 0);
    const { booking, parts, ...top } = content!.content as Record<string, unknown>;
    const { subject, ...expectedBooking } = bookingOf(slot, 'Bokad tid');
    assert.deepEqual(top, {
      ssn: PATIENT,
      subject,
      type: 'booking',
      generated_at: DateTime.now().setZone('Europe/Stockholm').toFormat('yyyy-MM-dd'),
    });
    assert.deepEqual(booking, expectedBooking);
    assert.deepEqual(
      (parts as Part[]).map((p) => [
        p.name,
        p.content_type,
        p.responsive_part.name,
        p.responsive_part.content_type,
      ]),
      [['kallelse.pdf', 'application/pdf', 'kallelse.html', 'text/html']],
    );
    const text = pdfOf(content!);
    for (const expected of [
      'Din bokade tid',
      swedishDate(slot.start.utcMs),
      `${hhmm(slot.start.utcMs)}–${hhmm(slot.end.utcMs)}`,
      'Vårdcentralen Kungsholmen',
      'Läkarbesök 20 min',
      bookingId,
      '1177.se',
    ])
      assert.ok(text.includes(expected), `PDF lacks "${expected}": ${text}`);
    assert.ok(htmlOf(content!).includes('<dd>Läkarbesök 20 min</dd>'));
    assertNoVisitReason(content!);

    const message = await t.app.outbox.findMessage(1);
    assert.equal(message?.status, 'delivered');
    assert.deepEqual(message?.receipt, {
      'kivra-objkey': content!.objkey,
      'x-correlation-id': content!.correlationId,
    });
  });

  it('sends a move as "Ombokad tid" with the new time, and a cancellation as a letter after it', async () => {
    const [first, second] = [t.calendar.doctorSlots[1]!, t.calendar.doctorSlots[4]!];
    const bookingId = await soapMakeBooking(t.url, first);
    await soapUpdateBooking(t.url, bookingId, second);
    await soapCancelBooking(t.url, FACILITY, bookingId);
    const [made, moved, cancelled, ...more] = await received();
    assert.equal(more.length, 0);
    assert.equal(made!.content['subject'], 'Bokad tid');
    const { subject, ...movedBooking } = bookingOf(second, 'Ombokad tid');
    assert.equal(moved!.content['subject'], subject);
    assert.equal(moved!.content['type'], 'booking');
    assert.deepEqual(moved!.content['booking'], movedBooking);
    assert.ok(pdfOf(moved!).includes('Din tid är ombokad'));

    assert.equal(cancelled!.content['type'], 'letter');
    assert.equal(cancelled!.content['subject'], 'Avbokad tid');
    assert.equal('booking' in cancelled!.content, false);
    const text = pdfOf(cancelled!);
    assert.ok(
      text.includes(
        `Din tid hos Vårdcentralen Kungsholmen ${swedishDate(second.start.utcMs)} klockan ${hhmm(second.start.utcMs)} är avbokad.`,
      ),
      text,
    );
    assert.ok(text.includes('Kivra kan inte ta bort en bokning'), text);
    for (const c of [made!, moved!, cancelled!]) assertNoVisitReason(c);
  });

  it('sends a timed invitation like a booking, an open one as a letter, and its booking when made', async () => {
    const slot = t.calendar.nurseSlots[0]!;
    const timed = await t.app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: OTHER_PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: slot.timeTypeId,
      slotId: slot.id,
      purpose: 'Provtagning inför besök',
    });
    assert.ok(timed.ok);
    const open = await t.app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: OTHER_PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-UPP',
      purpose: 'Uppföljning',
      expiresOn: t.calendar.days[2]!,
    });
    assert.ok(open.ok);
    const [invited, invitation] = await received();
    const { subject, ...timedBooking } = bookingOf(slot, 'Kallelse');
    assert.equal(invited!.content['type'], 'booking');
    assert.equal(invited!.content['subject'], subject);
    assert.deepEqual(invited!.content['booking'], timedBooking);
    assert.ok(pdfOf(invited!).includes('Vårdcentralen Kungsholmen har bokat en tid åt dig.'));

    assert.equal(invitation!.content['type'], 'letter');
    assert.equal(invitation!.content['subject'], 'Kallelse');
    assert.equal('booking' in invitation!.content, false);
    const text = pdfOf(invitation!);
    for (const expected of [
      'Kallelse: boka en tid',
      'Uppföljning',
      'logga in på 1177.se',
      'Boka senast',
    ])
      assert.ok(text.includes(expected), `PDF lacks "${expected}": ${text}`);
    for (const c of [invited!, invitation!]) assertNoVisitReason(c);
    seen = t.kivra.contents.length;

    const followUp = t.calendar.followUpSlots[0]!;
    await soapMakeBooking(t.url, followUp, {
      bookingId: open.value.booking.id,
      subjectOfCare: OTHER_PATIENT,
    });
    const [booked, ...more] = await received();
    assert.equal(more.length, 0);
    assert.equal(booked!.content['subject'], 'Bokad tid');
    assert.equal(booked!.content['ssn'], OTHER_PATIENT);
    assert.equal(
      (booked!.content['booking'] as Record<string, string>)['start_time'],
      iso(followUp.start.utcMs),
    );
  });

  it('writes Stockholm offsets on bookings across both DST changes', async () => {
    // The next changes after this test was written; later ones work the same way.
    const cases = [
      ['20270328013000', '+01:00'],
      ['20270328033000', '+02:00'],
      ['20271031013000', '+02:00'],
      ['20271031033000', '+01:00'],
    ] as const;
    const slots: Timeslot[] = [];
    await t.app.store.transaction(async (tx) => {
      for (const [ts] of cases) {
        const utcMs = tsToInstant(ts)!;
        const slot: Timeslot = {
          id: `DST-${ts}`,
          facility: FACILITY,
          start: { ts, utcMs },
          end: { ts: ts.slice(0, 10) + '5000', utcMs: utcMs + 20 * 60_000 },
          timeTypeId: 'TT-LAK',
          careTypeId: 'CT-ALLM',
          performer: DOCTOR,
          resourceId: 'R1',
        };
        await tx.upsertTimeslot(slot);
        slots.push(slot);
      }
    });
    for (const slot of slots) await soapMakeBooking(t.url, slot);
    const starts = (await received()).map(
      (c) => (c.content['booking'] as Record<string, string>)['start_time'],
    );
    assert.deepEqual(
      starts,
      cases.map(
        ([ts, offset]) =>
          `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:00${offset}`,
      ),
    );
  });
});
