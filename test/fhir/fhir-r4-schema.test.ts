import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fhirSchemaErrors } from './fhir-r4-schema.ts';

describe('the FHIR R4 schema check', () => {
  it('accepts a minimal valid Appointment', () => {
    assert.deepEqual(
      fhirSchemaErrors({
        resourceType: 'Appointment',
        status: 'booked',
        participant: [{ status: 'accepted', actor: { display: 'Tolvan' } }],
      }),
      [],
    );
  });

  it('refuses unknown elements, bad codes, empty strings and instants without a zone', () => {
    const errors = fhirSchemaErrors({
      resourceType: 'Appointment',
      status: 'planned',
      start: '2026-06-19T09:00:00',
      participant: [{ status: 'accepted', actor: { display: '' } }],
      reason: 'not an element',
    });
    assert.ok(
      errors.some((e) => e.includes('additional properties')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/status')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/start')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/participant/0/actor/display')),
      errors.join('\n'),
    );
  });

  it('checks contained resources by their own type', () => {
    const errors = fhirSchemaErrors({
      resourceType: 'Communication',
      status: 'completed',
      contained: [{ resourceType: 'Patient', id: 'p1', identifier: [{ system: 'x', valu: 'y' }] }],
    });
    assert.notDeepEqual(errors, []);
  });
});
