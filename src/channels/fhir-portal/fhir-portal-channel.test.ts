import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  aCommunicationSnapshot,
  anAppointmentSnapshot,
  TEST_PNR,
} from '../../../test/fhir/fhir-fixtures.ts';
import { assertValidFhir, fhirSchemaErrors } from '../../../test/fhir/fhir-r4-schema.ts';
import { startFhirSimulator } from '../../dev/fhir-simulator.ts';
import type { FhirSimulator } from '../../dev/fhir-simulator.ts';
import type { ClaimedMessage } from '../../outbox/outbox-store.ts';
import type { SingleChannelResult } from '../channel.ts';
import { ClientCredentialsToken } from '../http/client-credentials-token.ts';
import { appointmentResource } from './appointment-resource.ts';
import { FhirPortalChannel } from './fhir-portal-channel.ts';
import type { FhirPortalTarget } from './fhir-portal-channel.ts';
import { BSN_SYSTEM, DEFAULT_ACCEPTED_SYSTEMS } from './patient-identifier.ts';

let nextId = 1;
function claimed(payload: unknown, attempts = 1): ClaimedMessage {
  const id = nextId++;
  return {
    id,
    channel: 'fhir-portal',
    key: (payload as { bookingId: string }).bookingId,
    payload,
    attempts,
    createdAtUtcMs: Date.now(),
  };
}

describe('FhirPortalChannel against the portal simulator', () => {
  let sim: FhirSimulator;
  let tokens: ClientCredentialsToken;

  before(async () => {
    sim = await startFhirSimulator({ clientSecret: 'sim-secret-0123456789' });
    // Compile the schema before any connection is open: it blocks the loop for seconds.
    fhirSchemaErrors({ resourceType: 'Appointment' });
    fhirSchemaErrors({ resourceType: 'Communication' });
  });
  after(() => sim.close());
  beforeEach(() => {
    tokens = new ClientCredentialsToken({
      tokenUrl: sim.tokenUrl,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
    });
  });

  function channel(overrides: Partial<FhirPortalTarget> = {}, now?: () => number) {
    return new FhirPortalChannel(
      {
        baseUrl: sim.baseUrl,
        organization: sim.organization,
        organizationHeader: sim.organizationHeader,
        acceptedSystems: DEFAULT_ACCEPTED_SYSTEMS,
        timeoutMs: 2_000,
        batchSize: 8,
        ...overrides,
      },
      { tokens, ...(now ? { now } : {}) },
    );
  }

  async function deliverOne(
    payload: unknown,
    attempts = 1,
    c = channel(),
  ): Promise<SingleChannelResult> {
    const message = claimed(payload, attempts);
    const result = await c.deliver([message], new AbortController().signal);
    assert.equal(result.kind, 'each');
    return result.kind === 'each' ? result.results.get(message.id)! : result;
  }

  it('PUTs the Appointment with a bearer token, the organisation header and fhir+json', async () => {
    const before = sim.received.length;
    const snapshot = anAppointmentSnapshot({ bookingId: 'put-1' });
    assert.deepEqual(await deliverOne(snapshot), { kind: 'delivered' });
    const [tokenCall, put] = sim.received.slice(before);
    assert.equal(tokenCall?.path, '/oauth/token');
    assert.equal(put?.method, 'PUT');
    assert.equal(put.path, '/Appointment/put-1');
    assert.equal(put.status, 200);
    assert.match(put.headers['authorization'] ?? '', /^Bearer \S+$/);
    assert.equal(
      put.headers['x-organization-identifier'],
      `http://fhir.nl/fhir/NamingSystem/agb-z|${sim.organization}`,
    );
    assert.match(put.headers['content-type'] ?? '', /^application\/fhir\+json/);
    assert.equal(put.body, JSON.stringify(appointmentResource(snapshot, TEST_PNR)));
    assertValidFhir(put.body);
    assert.deepEqual(sim.appointments().get('put-1'), JSON.parse(put.body));
  });

  it('sends the same bytes again on a repeat, which the portal ignores', async () => {
    const snapshot = anAppointmentSnapshot({ bookingId: 'repeat-1' });
    assert.deepEqual(await deliverOne(snapshot), { kind: 'delivered' });
    assert.deepEqual(await deliverOne(snapshot), { kind: 'delivered' });
    const puts = sim.received.filter((r) => r.path === '/Appointment/repeat-1');
    assert.equal(puts.length, 2);
    assert.equal(puts[0]!.body, puts[1]!.body);
    assert.deepEqual(
      sim.notices.filter((n) => n.id === 'repeat-1'),
      [{ kind: 'new', id: 'repeat-1' }],
    );
  });

  it('POSTs a Communication and keeps the portal’s Location as the receipt', async () => {
    const result = await deliverOne(aCommunicationSnapshot());
    assert.equal(result.kind, 'delivered');
    const post = sim.received.at(-1)!;
    assert.equal(post.method, 'POST');
    assert.equal(post.path, '/Communication');
    assert.equal(post.status, 201);
    assertValidFhir(post.body);
    assert.deepEqual(result, {
      kind: 'delivered',
      receipt: {
        location: `${sim.baseUrl}/Communication/${(sim.communications().at(-1) as { id: string }).id}`,
      },
    });
  });

  it('uses a renamed organisation header when configured to', async () => {
    const renamed = await startFhirSimulator({ organizationHeader: 'organisation_agb' });
    try {
      tokens = new ClientCredentialsToken({
        tokenUrl: renamed.tokenUrl,
        clientId: renamed.clientId,
        clientSecret: renamed.clientSecret,
      });
      const c = channel({ baseUrl: renamed.baseUrl, organizationHeader: 'organisation_agb' });
      assert.deepEqual(await deliverOne(anAppointmentSnapshot(), 1, c), { kind: 'delivered' });
      const wrong = channel({ baseUrl: renamed.baseUrl });
      const refused = await deliverOne(anAppointmentSnapshot(), 1, wrong);
      assert.equal(refused.kind, 'permanent');
      assert.match(
        (refused as { reason: string }).reason,
        /HTTP 400: error required: header organisation_agb is required/,
      );
    } finally {
      await renamed.close();
    }
  });

  it('fetches a new token once after a 401 and then delivers', async () => {
    await deliverOne(anAppointmentSnapshot({ bookingId: 'tok-1' }));
    const issued = sim.tokensIssued;
    sim.revokeTokens();
    assert.deepEqual(await deliverOne(anAppointmentSnapshot({ bookingId: 'tok-2' })), {
      kind: 'delivered',
    });
    assert.equal(sim.tokensIssued, issued + 1);
    const calls = sim.received.filter((r) => r.path === '/Appointment/tok-2');
    assert.deepEqual(
      calls.map((c) => c.status),
      [401, 200],
    );
  });

  it('dead-letters a 400 with the OperationOutcome text, identifiers masked', async () => {
    const badBsn = { system: BSN_SYSTEM, value: '123456789' };
    const result = await deliverOne(
      anAppointmentSnapshot({ bookingId: 'bad-1', patient: { identifiers: [badBsn] } }),
    );
    assert.equal(result.kind, 'permanent');
    const reason = (result as { reason: string }).reason;
    assert.match(
      reason,
      /^HTTP 400: error value: the BSN fails the elfproef \(Appointment\.participant\)$/,
    );
    assert.doesNotMatch(reason, /123456789/);
  });

  it('dead-letters 403, 404 and 422 with the raw body when there is no OperationOutcome', async () => {
    for (const status of [403, 404, 422]) {
      sim.failNext(1, { status, body: `refused ${status} for 191212121212` });
      const result = await deliverOne(anAppointmentSnapshot());
      assert.deepEqual(result, {
        kind: 'permanent',
        reason: `HTTP ${status}: refused ${status} for 19121212-****`,
      });
    }
  });

  it('retries 5xx and 429, honouring Retry-After', async () => {
    sim.failNext(1, { status: 503, body: 'down' });
    assert.deepEqual(await deliverOne(anAppointmentSnapshot()), {
      kind: 'retry',
      reason: 'HTTP 503: down',
    });
    sim.failNext(1, { status: 429, body: '', headers: { 'Retry-After': '7' } });
    const result = await deliverOne(anAppointmentSnapshot());
    assert.deepEqual(result, { kind: 'retry', reason: 'HTTP 429: (empty body)', afterMs: 7_000 });
  });

  it('retries after a timeout when the portal hangs', async () => {
    sim.failNext(1, 'hang');
    const result = await deliverOne(anAppointmentSnapshot(), 1, channel({ timeoutMs: 300 }));
    assert.deepEqual(result, { kind: 'retry', reason: 'transport: no answer in time' });
  });

  it('gives up once the appointment has started', async () => {
    sim.failNext(1, { status: 500, body: 'oops' });
    const started = anAppointmentSnapshot({ giveUpAtUtcMs: Date.now() - 1 });
    const result = await deliverOne(started);
    assert.deepEqual(result, {
      kind: 'permanent',
      reason: 'gave up: the appointment has started; last failure: HTTP 500: oops',
    });
  });

  it('tries a Communication POST at most three times', async () => {
    sim.failNext(1, { status: 502, body: 'bad gateway' });
    assert.equal((await deliverOne(aCommunicationSnapshot(), 2)).kind, 'retry');
    sim.failNext(1, { status: 502, body: 'bad gateway' });
    const third = await deliverOne(aCommunicationSnapshot(), 3);
    assert.equal(third.kind, 'permanent');
    assert.match(
      (third as { reason: string }).reason,
      /^gave up after 3 attempts \(a Communication POST is not idempotent/,
    );
  });

  it('skips a patient without an identifier the portal accepts, sending nothing', async () => {
    const before = sim.received.length;
    const result = await deliverOne(
      anAppointmentSnapshot({ patient: { identifiers: [TEST_PNR] } }),
      1,
      channel({ acceptedSystems: [BSN_SYSTEM] }),
    );
    assert.deepEqual(result, {
      kind: 'skipped',
      reason: `the patient has no identifier the portal accepts (${BSN_SYSTEM})`,
    });
    assert.equal(sim.received.length, before);
  });

  it('answers a batch message by message', async () => {
    sim.failNext(1, { status: 500, body: 'first fails' });
    const a = claimed(anAppointmentSnapshot({ bookingId: 'batch-a' }));
    const b = claimed(anAppointmentSnapshot({ bookingId: 'batch-b' }));
    const result = await channel().deliver([a, b], new AbortController().signal);
    assert.equal(result.kind, 'each');
    const kinds =
      result.kind === 'each' ? [...result.results.values()].map((r) => r.kind).sort() : [];
    assert.deepEqual(kinds, ['delivered', 'retry']);
  });

  it('never puts the token or the client secret in a reason', async () => {
    sim.failNext(1, { status: 500, body: 'x' });
    const result = await deliverOne(anAppointmentSnapshot());
    const text = JSON.stringify(result);
    assert.doesNotMatch(text, /sim-secret/);
    assert.doesNotMatch(text, /Bearer/);
  });
});
