import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BSN_SYSTEM,
  DEFAULT_ACCEPTED_SYSTEMS,
} from '../channels/fhir-portal/patient-identifier.ts';
import { checkAppointment, checkCommunication } from './fhir-portal-checks.ts';
import { isBsn } from '../channels/fhir-portal/patient-identifier.ts';

const appointment = {
  resourceType: 'Appointment',
  id: 'b1',
  status: 'booked',
  serviceCategory: [{ coding: [{ system: 'urn:x', code: 'CT1', display: 'Allmänmedicin' }] }],
  start: '2026-06-19T09:00:00+02:00',
  end: '2026-06-19T09:30:00+02:00',
  participant: [
    {
      actor: { reference: 'Patient/p', identifier: { system: BSN_SYSTEM, value: '123456782' } },
      status: 'accepted',
    },
  ],
};

const communication = {
  resourceType: 'Communication',
  status: 'completed',
  contained: [
    { resourceType: 'Patient', id: 'p1', identifier: [{ system: BSN_SYSTEM, value: '123456782' }] },
  ],
  category: [{ coding: [{ system: 'nl.spreekuur.communication-category', code: 'melding' }] }],
  topic: { text: 'Kallelse' },
  recipient: [{ reference: '#p1' }],
  payload: [{ contentString: 'Välkommen.' }],
};

const diagnostics = (issues: { diagnostics: string; expression: string }[]) =>
  issues.map((i) => `${i.expression}: ${i.diagnostics}`);

function assertRefused(issues: { diagnostics: string; expression: string }[], pattern: RegExp) {
  const lines = diagnostics(issues);
  assert.ok(
    lines.some((l) => pattern.test(l)),
    `expected ${pattern} in:\n${lines.join('\n')}`,
  );
}

describe('the portal simulator’s Appointment checks', () => {
  it('accepts a good Appointment', () => {
    assert.deepEqual(checkAppointment(appointment, 'b1', DEFAULT_ACCEPTED_SYSTEMS), []);
  });

  it('refuses each broken rule with its own issue', () => {
    const accepted = DEFAULT_ACCEPTED_SYSTEMS;
    assertRefused(
      checkAppointment({ ...appointment, id: 'b2' }, 'b1', accepted),
      /differs from the id in the URL/,
    );
    assertRefused(
      checkAppointment({ ...appointment, status: 'proposed' }, 'b1', accepted),
      /Appointment\.status/,
    );
    assertRefused(
      checkAppointment({ ...appointment, start: '2026-06-19T09:00:00' }, 'b1', accepted),
      /Appointment\.start/,
    );
    assertRefused(
      checkAppointment(
        { ...appointment, start: appointment.end, end: appointment.start },
        'b1',
        accepted,
      ),
      /app-2/,
    );
    assertRefused(
      checkAppointment({ ...appointment, comment: '' }, 'b1', accepted),
      /empty string/,
    );
    assertRefused(checkAppointment({ ...appointment, comment: null }, 'b1', accepted), /null/);
    assertRefused(
      checkAppointment({ ...appointment, serviceCategory: [] }, 'b1', accepted),
      /empty array/,
    );
    const noCategory: Record<string, unknown> = { ...appointment };
    delete noCategory['serviceCategory'];
    assertRefused(checkAppointment(noCategory, 'b1', accepted), /Appointment\.serviceCategory/);
    assertRefused(
      checkAppointment(appointment, 'b1', ['urn:oid:1.2.752.129.2.1.3.1']),
      /no patient identifier of an accepted system/,
    );
    const badBsn = structuredClone(appointment);
    badBsn.participant[0]!.actor.identifier.value = '123456789';
    assertRefused(checkAppointment(badBsn, 'b1', accepted), /elfproef/);
  });
});

describe('the portal simulator’s Communication checks', () => {
  it('accepts a good melding', () => {
    assert.deepEqual(checkCommunication(communication, DEFAULT_ACCEPTED_SYSTEMS), []);
  });

  it('refuses each broken rule with its own issue', () => {
    const accepted = DEFAULT_ACCEPTED_SYSTEMS;
    const check = (changes: Record<string, unknown>) =>
      checkCommunication({ ...communication, ...changes }, accepted);
    assertRefused(check({ status: 'in-progress' }), /Communication\.status/);
    assertRefused(check({ category: [{ coding: [{ code: 'notification' }] }] }), /melding/);
    assertRefused(check({ topic: { text: 'x'.repeat(501) } }), /Communication\.topic\.text/);
    assertRefused(
      check({ payload: [{ contentString: 'x'.repeat(10_001) }] }),
      /Communication\.payload/,
    );
    assertRefused(
      check({
        payload: [
          {
            contentString: 'a',
            contentAttachment: { data: 'AA==', contentType: 'application/pdf', title: 't' },
          },
        ],
      }),
      /exactly one content\[x\]/,
    );
    assertRefused(
      check({ payload: [{ contentString: 'a' }, { contentString: 'b' }] }),
      /exactly one payload\.contentString/,
    );
    assertRefused(check({ recipient: [{ reference: '#p2' }] }), /#p2 does not resolve \(ref-1\)/);
    assertRefused(
      check({ recipient: [{ reference: 'Patient/1' }] }),
      /not referenced with #p1 \(dom-3\)/,
    );
    assertRefused(
      check({
        contained: [
          { ...communication.contained[0], contained: [{ resourceType: 'Patient', id: 'x' }] },
        ],
      }),
      /dom-2/,
    );
    assertRefused(
      check({ contained: [{ ...communication.contained[0], meta: { versionId: '1' } }] }),
      /dom-4/,
    );
  });
});

describe('isBsn', () => {
  it('applies the elfproef', () => {
    assert.equal(isBsn('123456782'), true);
    assert.equal(isBsn('123456789'), false);
    assert.equal(isBsn('12345678'), false);
  });
});
