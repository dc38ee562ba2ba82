import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServices } from '../../services.ts';
import type { Services } from '../../services.ts';
import {
  DOCTOR,
  FACILITY,
  HIDDEN,
  PATIENT,
  PATIENT_INFO,
  seedTestCalendar,
} from '../../../test/support/test-calendar.ts';
import type { SeededCalendar } from '../../../test/support/test-calendar.ts';
import { allowed, bookSlot, moveTo, TEST_BSN } from '../../../test/fhir/fhir-fixtures.ts';
import { fhirPortalListener, fhirPortalPayloads } from './fhir-portal-listener.ts';
import type { FhirPortalListenerOptions } from './fhir-portal-listener.ts';
import type {
  AppointmentSnapshot,
  CommunicationSnapshot,
  FhirPortalPayload,
} from './fhir-portal-payload.ts';
import { PERSONNUMMER_SYSTEM } from './patient-identifier.ts';

describe('fhirPortalPayloads', () => {
  let services: Services;
  let calendar: SeededCalendar;
  let sent: FhirPortalPayload[];

  async function start(options: FhirPortalListenerOptions = {}) {
    sent = [];
    services = createServices({
      store: 'sqlite::memory:',
      listeners: [
        async (tx, change) => {
          sent.push(...(await fhirPortalPayloads(tx, change, options)));
        },
      ],
    });
    calendar = await seedTestCalendar(services.store);
  }
  beforeEach(() => start({ otherIdentifiers: async () => [TEST_BSN] }));
  afterEach(() => services.close());

  const book = (slotIndex = 0, extra: { reason?: string } = {}) =>
    bookSlot(services, calendar.doctorSlots[slotIndex]!, extra);

  it('snapshots a new booking as a booked Appointment with names, times and identifiers', async () => {
    const booking = await book(0, { reason: 'Ont i magen sedan i tisdags' });
    const slot = calendar.doctorSlots[0]!;
    assert.deepEqual(sent, [
      {
        kind: 'appointment',
        bookingId: booking.id,
        status: 'booked',
        start: slot.start,
        end: slot.end,
        facility: { hsaId: FACILITY, name: 'Vårdcentralen Kungsholmen' },
        timeType: { id: 'TT-LAK', name: 'Läkarbesök 20 min' },
        careType: { id: 'CT-ALLM', name: 'Allmänmedicin' },
        performer: { hsaId: DOCTOR, name: 'Anna Lind' },
        patient: {
          identifiers: [{ system: PERSONNUMMER_SYSTEM, value: PATIENT }, TEST_BSN],
          name: 'Tolvan Tolvansson',
        },
        giveUpAtUtcMs: slot.start.utcMs,
      } satisfies AppointmentSnapshot,
    ]);
    assert.doesNotMatch(JSON.stringify(sent), /Ont i magen/);
  });

  it('carries the time type’s booking information as the comment', async () => {
    await bookSlot(services, calendar.nurseSlots[0]!);
    assert.equal(
      (sent[0] as AppointmentSnapshot).comment,
      'Kom fastande. Ät eller drick inget efter midnatt.',
    );
  });

  it('sends the new times on a move and the last times on a cancellation', async () => {
    const booking = await book(0);
    const target = calendar.doctorSlots[3]!;
    await moveTo(services, booking, target);
    allowed(
      await services.service.cancel({
        bookingId: booking.id,
        facility: FACILITY,
        origin: 'soap',
        message: 'Kan inte komma',
      }),
    );
    const appointments = sent as AppointmentSnapshot[];
    assert.deepEqual(
      appointments.map((a) => [a.status, a.start.ts]),
      [
        ['booked', calendar.doctorSlots[0]!.start.ts],
        ['booked', target.start.ts],
        ['cancelled', target.start.ts],
      ],
    );
    // A patient's message with a SOAP cancellation is for the clinic, not the portal.
    assert.equal(sent.length, 3);
  });

  it('adds staff’s message with a cancellation as a Communication after the cancelled Appointment', async () => {
    const booking = await book(1);
    allowed(
      await services.service.cancel({
        bookingId: booking.id,
        facility: FACILITY,
        origin: 'staff',
        message: 'Doktorn är sjuk, vi ringer dig för en ny tid.',
      }),
    );
    const [, cancelled, message] = sent;
    assert.equal((cancelled as AppointmentSnapshot).status, 'cancelled');
    const m = message as CommunicationSnapshot;
    assert.equal(m.about, 'cancellation');
    assert.equal(m.topic, 'Avbokad tid');
    assert.match(
      m.text,
      /^Din tid .* kl\. 08\.20 hos Vårdcentralen Kungsholmen är avbokad\.\n\nMeddelande från mottagningen:\nDoktorn är sjuk, vi ringer dig för en ny tid\.$/,
    );
    assert.equal(m.bookingId, booking.id);
  });

  it('sends an open invitation as a Communication with its text as plain text', async () => {
    allowed(
      await services.service.createInvitation({
        id: 'inv-open-1',
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose:
          '<article xmlns="http://docbook.org/ns/docbook"><title>Hälsokontroll</title><para>Välkommen &amp; boka en tid.</para></article>',
        expiresOn: '20991231',
      }),
    );
    assert.equal(sent.length, 1);
    const m = sent[0] as CommunicationSnapshot;
    assert.equal(m.kind, 'communication');
    assert.equal(m.topic, 'Kallelse');
    assert.equal(
      m.text,
      'Hälsokontroll\nVälkommen & boka en tid.\n\nBoka din tid hos Vårdcentralen Kungsholmen senast torsdag 31 december 2099.',
    );
  });

  it('sends a timed invitation as a booked Appointment and a Communication', async () => {
    const slot = calendar.doctorSlots[5]!;
    allowed(
      await services.service.createInvitation({
        id: 'inv-timed-1',
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Dags för årskontroll.',
        slotId: slot.id,
      }),
    );
    assert.deepEqual(
      sent.map((p) => p.kind),
      ['appointment', 'communication'],
    );
    assert.match(
      (sent[1] as CommunicationSnapshot).text,
      /^Dags för årskontroll\.\n\nTid: .* kl\. 09\.40\n\nPlats: Vårdcentralen Kungsholmen$/,
    );
    assert.equal(sent[1]!.giveUpAtUtcMs, slot.start.utcMs);
  });

  it('sends nothing for a facility that is not selected', async () => {
    await services.close();
    await start({ facilities: [HIDDEN] });
    await book(2);
    assert.deepEqual(sent, []);
  });

  it('appends its messages to the outbox keyed by booking id, in the change’s transaction', async () => {
    await services.close();
    services = createServices({ store: 'sqlite::memory:', listeners: [fhirPortalListener()] });
    calendar = await seedTestCalendar(services.store);
    const booking = await book(0);
    const [message] = await services.outbox.claimBatch(
      'fhir-portal',
      10,
      Date.now(),
      60_000,
      'test',
    );
    assert.equal(message?.key, booking.id);
    assert.equal((message?.payload as AppointmentSnapshot).status, 'booked');
  });
});
