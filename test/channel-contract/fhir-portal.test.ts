/** The FHIR patient portal passes the shared channel contract. */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { enableChannel } from '../../src/channels/channel-module.ts';
import { fhirPortal } from '../../src/channels/fhir-portal/index.ts';
import { DEFAULT_ACCEPTED_SYSTEMS } from '../../src/channels/fhir-portal/patient-identifier.ts';
import { startFhirSimulator } from '../../src/dev/fhir-simulator.ts';
import { anAppointmentSnapshot, TEST_PNR } from '../fhir/fhir-fixtures.ts';
import { assertValidFhir, fhirSchemaErrors } from '../fhir/fhir-r4-schema.ts';
import { describeChannel } from './channel.contract.ts';

// Tokens come from the simulator's endpoint, so the fake server sees only the FHIR requests.
const tokens = await startFhirSimulator({ clientSecret: 'contract-secret' });
after(() => tokens.close());
// Compile the schema before any connection opens: it blocks the loop for seconds.
fhirSchemaErrors({ resourceType: 'Appointment' });

describeChannel('fhir-portal', {
  makeChannel: ({ url, timeoutMs }) =>
    enableChannel(fhirPortal, {
      facilities: undefined,
      acceptedSystems: DEFAULT_ACCEPTED_SYSTEMS,
      connection: {
        baseUrl: `${url}fhir/r4`,
        tokenUrl: tokens.tokenUrl,
        clientId: tokens.clientId,
        clientSecret: tokens.clientSecret,
        organization: '01234567',
        organizationHeader: 'X-Organization-Identifier',
        timeoutMs,
        batchSize: 8,
      },
    }).createChannel()!,
  batch: () => [
    {
      id: 1,
      channel: 'fhir-portal',
      key: 'b1',
      payload: anAppointmentSnapshot(),
      attempts: 1,
      createdAtUtcMs: 0,
    },
  ],
  answers: {
    delivered: { status: 200, headers: { 'Content-Type': 'application/fhir+json' }, body: '{}' },
    // The portal quotes the identifier it could not match.
    permanent: {
      status: 422,
      headers: { 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: 'not-found',
            diagnostics: `no patient ${TEST_PNR.system}|${TEST_PNR.value}`,
          },
        ],
      }),
    },
  },
  personIds: [TEST_PNR.value],
  checkRequest(request) {
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, '/fhir/r4/Appointment/b1');
    assert.match(request.headers['content-type'] ?? '', /^application\/fhir\+json/);
    assert.match(request.headers['authorization'] ?? '', /^Bearer \S+$/);
    assert.equal(
      request.headers['x-organization-identifier'],
      'http://fhir.nl/fhir/NamingSystem/agb-z|01234567',
    );
    assertValidFhir(request.body);
  },
});
