import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertValidFhir } from '../../../test/fhir/fhir-r4-schema.ts';
import { clip, communicationResource, MAX_CONTENT_CHARS } from './communication-resource.ts';
import type { CommunicationSnapshot } from './fhir-portal-payload.ts';
import { BSN_SYSTEM } from './patient-identifier.ts';

const bsn = { system: BSN_SYSTEM, value: '123456782' };
const snapshot: CommunicationSnapshot = {
  kind: 'communication',
  bookingId: 'inv-1',
  about: 'invitation',
  topic: 'Kallelse',
  text: 'Välkommen på hälsokontroll.\n\nBoka din tid hos Vårdcentralen Norr.',
  patient: { identifiers: [bsn], name: 'Tolvan Tolvansson' },
  giveUpAtUtcMs: 0,
};

describe('communicationResource', () => {
  it('writes a melding to the contained patient #p1, valid FHIR R4', () => {
    const resource = communicationResource(snapshot, bsn);
    assert.deepEqual(resource, {
      resourceType: 'Communication',
      status: 'completed',
      contained: [{ resourceType: 'Patient', id: 'p1', identifier: [bsn] }],
      category: [{ coding: [{ system: 'nl.spreekuur.communication-category', code: 'melding' }] }],
      topic: { text: 'Kallelse' },
      recipient: [{ reference: '#p1' }],
      payload: [{ contentString: snapshot.text }],
    });
    assertValidFhir(resource);
  });

  it('cuts a text longer than 10,000 characters to exactly 10,000, ending in an ellipsis', () => {
    const resource = communicationResource({ ...snapshot, text: 'å'.repeat(12_000) }, bsn);
    const text = resource.payload[0]!.contentString;
    assert.equal([...text].length, MAX_CONTENT_CHARS);
    assert.ok(text.endsWith('…'));
  });

  it('counts characters, not UTF-16 units, when cutting', () => {
    assert.equal(clip('😀😀😀', 3), '😀😀😀');
    assert.equal(clip('😀😀😀😀', 3), '😀😀…');
  });
});
