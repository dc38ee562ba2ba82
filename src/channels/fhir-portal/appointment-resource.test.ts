import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anAppointmentSnapshot, TEST_PNR } from '../../../test/fhir/fhir-fixtures.ts';
import { assertValidFhir } from '../../../test/fhir/fhir-r4-schema.ts';
import { appointmentResource, fhirInstant } from './appointment-resource.ts';
import { BSN_SYSTEM, PERSONNUMMER_SYSTEM } from './patient-identifier.ts';

const snapshot = anAppointmentSnapshot({
  bookingId: 'b-42',
  careType: { id: 'CT1', name: 'Allmänmedicin' },
  performer: { hsaId: 'SE2321000016-P001', name: 'Anna Ek' },
  patient: { identifiers: [TEST_PNR], name: 'Tolvan Tolvansson' },
  comment: 'Kom tio minuter före.',
});

describe('appointmentResource', () => {
  it('writes the booking as Spreekuur.nl expects it, valid FHIR R4', () => {
    const resource = appointmentResource(snapshot, snapshot.patient.identifiers[0]!);
    assert.deepEqual(resource, {
      resourceType: 'Appointment',
      id: 'b-42',
      status: 'booked',
      serviceCategory: [
        {
          coding: [
            {
              system: 'urn:tidbok:SE2321000016-1hz5:care-type',
              code: 'CT1',
              display: 'Allmänmedicin',
            },
          ],
        },
      ],
      appointmentType: {
        coding: [
          { system: 'urn:tidbok:SE2321000016-1hz5:time-type', code: 'TT1', display: 'Läkarbesök' },
        ],
      },
      start: '2026-06-19T09:00:00+02:00',
      end: '2026-06-19T09:30:00+02:00',
      comment: 'Kom tio minuter före.',
      participant: [
        {
          actor: {
            reference: 'Patient/b-42-patient',
            identifier: { system: PERSONNUMMER_SYSTEM, value: '191212121212' },
            display: 'Tolvan Tolvansson',
          },
          status: 'accepted',
        },
        {
          actor: {
            reference: 'Practitioner/SE2321000016-P001',
            identifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: 'SE2321000016-P001' },
            display: 'Anna Ek',
          },
          status: 'accepted',
        },
        {
          actor: {
            reference: 'Location/SE2321000016-1hz5',
            identifier: { system: 'urn:oid:1.2.752.129.2.1.4.1', value: 'SE2321000016-1hz5' },
            display: 'Vårdcentralen Norr',
          },
          status: 'accepted',
        },
      ],
    });
    assertValidFhir(resource);
  });

  it('leaves out what is unknown instead of sending it empty, and uses the time type as category without a care type', () => {
    const { kind, bookingId, start, end, facility, timeType, giveUpAtUtcMs } = snapshot;
    const bare = { kind, bookingId, start, end, facility, timeType, giveUpAtUtcMs };
    const resource = appointmentResource(
      {
        ...bare,
        status: 'cancelled',
        patient: { identifiers: [{ system: BSN_SYSTEM, value: '123456782' }] },
      },
      { system: BSN_SYSTEM, value: '123456782' },
    );
    assert.equal(resource.status, 'cancelled');
    assert.equal('comment' in resource, false);
    assert.deepEqual(resource.serviceCategory, [resource.appointmentType]);
    assert.deepEqual(
      resource.participant.map((p) => p.actor.reference),
      ['Patient/b-42-patient', 'Location/SE2321000016-1hz5'],
    );
    assert.equal('display' in resource.participant[0]!.actor, false);
    assertValidFhir(resource);
  });
});

describe('fhirInstant', () => {
  it('writes Stockholm time with the offset of the day, across both DST changes', () => {
    assert.equal(fhirInstant(Date.UTC(2026, 11, 10, 8)), '2026-12-10T09:00:00+01:00');
    assert.equal(fhirInstant(Date.UTC(2026, 5, 19, 7)), '2026-06-19T09:00:00+02:00');
    // 2026-03-29: 01:59:59 CET is followed by 03:00:00 CEST.
    assert.equal(fhirInstant(Date.UTC(2026, 2, 29, 0, 59, 59)), '2026-03-29T01:59:59+01:00');
    assert.equal(fhirInstant(Date.UTC(2026, 2, 29, 1)), '2026-03-29T03:00:00+02:00');
    // 2026-10-25: 02:30 happens twice, first in CEST, then in CET.
    assert.equal(fhirInstant(Date.UTC(2026, 9, 25, 0, 30)), '2026-10-25T02:30:00+02:00');
    assert.equal(fhirInstant(Date.UTC(2026, 9, 25, 1, 30)), '2026-10-25T02:30:00+01:00');
  });
});
