import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appointmentResource } from '../channels/fhir-portal/appointment-resource.ts';
import { anAppointmentSnapshot, TEST_BSN } from '../../test/fhir/fhir-fixtures.ts';
import { runFhirSimulatorCommand, startFhirSimulator } from './fhir-simulator.ts';
import type { FhirSimulator } from './fhir-simulator.ts';

const appointment = appointmentResource(
  anAppointmentSnapshot({ bookingId: 'sim-1', patient: { identifiers: [TEST_BSN] } }),
  TEST_BSN,
);

describe('the FHIR portal simulator', () => {
  let sim: FhirSimulator;
  let token: string;
  before(async () => {
    sim = await startFhirSimulator({ clientId: 'c1', clientSecret: 's1' });
    const res = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from('c1:s1').toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200);
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  after(() => sim.close());

  const put = (headers: Record<string, string>, body = JSON.stringify(appointment)) =>
    fetch(`${sim.baseUrl}/Appointment/sim-1`, { method: 'PUT', headers, body });
  const good = () => ({
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/fhir+json',
    'X-Organization-Identifier': `http://fhir.nl/fhir/NamingSystem/agb-z|${sim.organization}`,
  });

  it('gives tokens only to its client, by Basic or form credentials', async () => {
    const form = (body: string) =>
      fetch(sim.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
    assert.equal(
      (await form('grant_type=client_credentials&client_id=c1&client_secret=s1')).status,
      200,
    );
    assert.equal(
      (await form('grant_type=client_credentials&client_id=c1&client_secret=no')).status,
      401,
    );
    assert.equal((await form('grant_type=password&client_id=c1&client_secret=s1')).status, 400);
  });

  it('takes a good PUT and refuses a missing token, a wrong organisation and plain JSON', async () => {
    assert.equal((await put(good())).status, 200);
    assert.equal((await put({ ...good(), Authorization: 'Bearer nope' })).status, 401);
    const other = {
      ...good(),
      'X-Organization-Identifier': 'http://fhir.nl/fhir/NamingSystem/agb-z|99999999',
    };
    assert.equal((await put(other)).status, 403);
    assert.equal((await put({ ...good(), 'Content-Type': 'application/json' })).status, 415);
    const broken = await put(good(), '{"resourceType":');
    assert.equal(broken.status, 400);
    assert.equal(
      ((await broken.json()) as { resourceType: string }).resourceType,
      'OperationOutcome',
    );
  });

  it('leaves a request unanswered when told to hang', async () => {
    sim.failNext(1, 'hang');
    await assert.rejects(
      fetch(`${sim.baseUrl}/Appointment/sim-1`, {
        method: 'PUT',
        headers: good(),
        body: JSON.stringify(appointment),
        signal: AbortSignal.timeout(300),
      }),
      { name: 'TimeoutError' },
    );
    assert.equal(sim.received.at(-1)?.outcome, 'hang');
    assert.equal(sim.received.at(-1)?.status, 0);
  });

  it('prints its settings and each request without identifiers as `tidbok fhir-sim`', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const running = runFhirSimulatorCommand(
      { clientSecret: 'printed-secret', signal: stop.signal },
      (l) => lines.push(l),
    );
    while (!lines.some((l) => l.startsWith('  SPREEKUUR_ORGANIZATION_HEADER')))
      await new Promise((r) => setTimeout(r, 20));
    const base = lines.find((l) => l.startsWith('  SPREEKUUR_URL='))!.split('=')[1]!;
    await fetch(`${base}/Appointment/sim-1`, { method: 'PUT', body: JSON.stringify(appointment) });
    stop.abort();
    await running;
    assert.ok(lines.includes('  SPREEKUUR_CLIENT_SECRET=printed-secret'));
    const request = lines.at(-1)!;
    assert.match(request, /PUT \/Appointment\/sim-1 booked → 401/);
    assert.doesNotMatch(lines.join('\n'), /123456782/);
  });
});
