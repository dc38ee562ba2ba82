/**
 * The FHIR portal end to end: a SOAP call or a staff action on the admin API
 * in, the exact resource the portal simulator received out, through the real
 * app (registry, listener, outbox, dispatcher, channel). Every resource
 * received is also checked against the official FHIR R4 JSON schema.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PERSONNUMMER_SYSTEM } from '../../src/channels/fhir-portal/patient-identifier.ts';
import type { FhirReceived, FhirSimulator } from '../../src/dev/fhir-simulator.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import { soapCancelBooking, soapMakeBooking, soapUpdateBooking } from '../support/booking-calls.ts';
import { DOCTOR, FACILITY, PATIENT } from '../support/test-calendar.ts';
import { assertValidFhir, fhirSchemaErrors } from './fhir-r4-schema.ts';
import { startFhirTestApp, type FhirTestApp } from './fhir-test-app.ts';

const TOKEN = 'fhir-e2e-admin-token-0123456789';

/** `2026-06-19T09:00:00` from `20260619090000`: the local part a FHIR instant must show. */
const localPart = (ts: string) =>
  `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}`;

/** The instant a slot time must be sent as: its local time with the offset that makes it that instant. */
function assertInstant(value: string, time: Timeslot['start']) {
  assert.match(value, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
  assert.equal(value.slice(0, 19), localPart(time.ts));
  assert.equal(Date.parse(value), time.utcMs);
}

describe('the FHIR portal end to end', () => {
  let sim: FhirSimulator;
  let t: FhirTestApp;
  let drained: FhirTestApp['drained'];

  before(async () => {
    fhirSchemaErrors({ resourceType: 'Communication' });
    t = await startFhirTestApp({ adminToken: TOKEN });
    ({ sim, drained } = t);
  });
  after(() => t.close());

  /** What the portal accepted for one path since `mark`, each checked against the R4 schema. */
  function acceptedSince(mark: number, path: string): FhirReceived[] {
    const out = sim.received.slice(mark).filter((r) => r.path === path && r.status < 300);
    for (const r of out) assertValidFhir(r.body);
    return out;
  }

  async function admin(path: string, body: unknown) {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    assert.ok(res.status < 300, JSON.stringify(json));
    return json;
  }

  it('MakeBooking: the portal receives exactly the booked Appointment', async () => {
    const mark = sim.received.length;
    const slot = t.calendar.doctorSlots[0]!;
    const id = await soapMakeBooking(t.url, slot);
    await drained();
    const [put] = acceptedSince(mark, `/Appointment/${id}`);
    const resource = put!.resource as { start: string; end: string };
    assertInstant(resource.start, slot.start);
    assertInstant(resource.end, slot.end);
    assert.deepEqual(resource, {
      resourceType: 'Appointment',
      id,
      status: 'booked',
      serviceCategory: [
        {
          coding: [
            {
              system: `urn:tidbok:${FACILITY}:care-type`,
              code: 'CT-ALLM',
              display: 'Allmänmedicin',
            },
          ],
        },
      ],
      appointmentType: {
        coding: [
          {
            system: `urn:tidbok:${FACILITY}:time-type`,
            code: 'TT-LAK',
            display: 'Läkarbesök 20 min',
          },
        ],
      },
      start: resource.start,
      end: resource.end,
      participant: [
        {
          actor: {
            reference: `Patient/${id}-patient`,
            identifier: { system: PERSONNUMMER_SYSTEM, value: PATIENT },
            display: 'Tolvan Tolvansson',
          },
          status: 'accepted',
        },
        {
          actor: {
            reference: `Practitioner/${DOCTOR}`,
            identifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: DOCTOR },
            display: 'Anna Lind',
          },
          status: 'accepted',
        },
        {
          actor: {
            reference: `Location/${FACILITY}`,
            identifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: FACILITY },
            display: 'Vårdcentralen Kungsholmen',
          },
          status: 'accepted',
        },
      ],
    });
  });

  it('UpdateBooking and CancelBooking: booked at the new time, then cancelled at that time', async () => {
    const first = t.calendar.doctorSlots[1]!;
    const target = t.calendar.doctorSlots[7]!;
    const id = await soapMakeBooking(t.url, first);
    await drained();
    const mark = sim.received.length;
    await soapUpdateBooking(t.url, id, target);
    await drained();
    await soapCancelBooking(t.url, FACILITY, id);
    await drained();
    const [moved, cancelled] = acceptedSince(mark, `/Appointment/${id}`).map(
      (r) => r.resource as { status: string; start: string; end: string },
    );
    assert.equal(moved!.status, 'booked');
    assertInstant(moved!.start, target.start);
    assert.equal(cancelled!.status, 'cancelled');
    assertInstant(cancelled!.start, target.start);
    assertInstant(cancelled!.end, target.end);
    assert.deepEqual({ ...cancelled, status: 'booked' }, moved, 'the same Appointment, cancelled');
  });

  it('book, move twice and cancel in quick succession: the portal ends cancelled at the last time, each change told once', async () => {
    const slots = t.calendar.doctorSlots;
    const id = await soapMakeBooking(t.url, slots[2]!);
    await soapUpdateBooking(t.url, id, slots[8]!);
    await soapUpdateBooking(t.url, id, slots[14]!);
    await soapCancelBooking(t.url, FACILITY, id);
    await drained();
    const final = sim.appointments().get(id) as { status: string; start: string };
    assert.equal(final.status, 'cancelled');
    assertInstant(final.start, slots[14]!.start);
    assert.deepEqual(
      sim.notices.filter((n) => n.id === id).map((n) => n.kind),
      ['new', 'modified', 'modified', 'cancelled'],
    );
  });

  it('a staff invitation: the portal receives exactly the melding', async () => {
    const mark = sim.received.length;
    await admin('/admin/invitations', {
      id: 'e2e-inv-1',
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: { firstName: 'Tolvan', lastName: 'Tolvansson' },
      timeTypeId: 'TT-LAK',
      purpose: 'Välkommen på årskontroll.',
      expiresOn: '20991231',
    });
    await drained();
    const [post] = acceptedSince(mark, '/Communication');
    assert.deepEqual(post!.resource, {
      resourceType: 'Communication',
      status: 'completed',
      contained: [
        {
          resourceType: 'Patient',
          id: 'p1',
          identifier: [{ system: PERSONNUMMER_SYSTEM, value: PATIENT }],
        },
      ],
      category: [{ coding: [{ system: 'nl.spreekuur.communication-category', code: 'melding' }] }],
      topic: { text: 'Kallelse' },
      recipient: [{ reference: '#p1' }],
      payload: [
        {
          contentString:
            'Välkommen på årskontroll.\n\nBoka din tid hos Vårdcentralen Kungsholmen senast torsdag 31 december 2099.',
        },
      ],
    });
    assert.equal(
      acceptedSince(mark, '/Appointment/e2e-inv-1').length,
      0,
      'an open invitation has no time',
    );
  });

  it('staff cancel with a message: the cancelled Appointment, then the message', async () => {
    const slot = t.calendar.doctorSlots[3]!;
    const id = await soapMakeBooking(t.url, slot);
    await drained();
    const mark = sim.received.length;
    await admin(`/admin/bookings/${id}/cancel`, { message: 'Doktorn är sjuk. Vi ringer dig.' });
    await drained();
    const order = sim.received
      .slice(mark)
      .filter((r) => r.status < 300 && r.path !== '/oauth/token')
      .map((r) => r.path);
    assert.deepEqual(order, [`/Appointment/${id}`, '/Communication']);
    const [post] = acceptedSince(mark, '/Communication');
    const message = post!.resource as {
      topic: { text: string };
      payload: { contentString: string }[];
    };
    assert.equal(message.topic.text, 'Avbokad tid');
    assert.match(
      message.payload[0]!.contentString,
      new RegExp(
        `^Din tid \\S+ \\d+ \\S+ \\d{4} kl\\. ${slot.start.ts.slice(8, 10)}\\.${slot.start.ts.slice(10, 12)} hos Vårdcentralen Kungsholmen är avbokad\\.\\n\\nMeddelande från mottagningen:\\nDoktorn är sjuk\\. Vi ringer dig\\.$`,
      ),
    );
  });
});
