import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aClaimedLetter } from '../../../test/kivra/kivra-messages.ts';
import { OTHER_PATIENT, PATIENT } from '../../../test/support/builders.ts';
import { startKivraSimulator, type KivraSimulator } from '../../dev/kivra-simulator.ts';
import { KivraChannel, KIVRA_MAX_BODY_BYTES, type KivraApiConfig } from './kivra-channel.ts';

const signal = new AbortController().signal;
const THIRD_PATIENT = '199001012380';

describe('KivraChannel against the Kivra simulator', () => {
  let sim: KivraSimulator;
  let clock: number;
  const now = () => clock;

  before(async () => {
    sim = await startKivraSimulator({ now, tokenTtlSeconds: 3_600 });
  });
  after(() => sim.close());
  beforeEach(() => {
    clock = Date.now();
  });
  afterEach(() => {
    (sim.requests as unknown[]).length = 0;
    (sim.contents as unknown[]).length = 0;
    sim.setUsers('everyone');
    sim.revokeTokens();
  });

  const config = (overrides: Partial<KivraApiConfig> = {}): KivraApiConfig => ({
    url: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    tenantKey: sim.tenantKey,
    timeoutMs: 5_000,
    ...overrides,
  });
  const channel = (overrides: Partial<KivraApiConfig> = {}) =>
    new KivraChannel(config(overrides), { batchSize: 10, now });
  const calls = (endpoint: string) => sim.requests.filter((r) => r.endpoint === endpoint);

  it('posts the stored bytes and keeps Kivra objkey and correlation id as the receipt', async () => {
    const letter = await aClaimedLetter();
    const outcomes = await channel().deliverEach([letter], signal);
    assert.equal(sim.contents.length, 1);
    const received = sim.contents[0]!;
    assert.equal(received.body, letter.payload.body, 'exactly the bytes stored in the outbox');
    assert.deepEqual(outcomes.get(letter.id), {
      kind: 'delivered',
      receipt: { 'kivra-objkey': received.objkey, 'x-correlation-id': received.correlationId },
    });
    const post = calls('content')[0]!;
    assert.equal(post.path, `/v2/tenant/${sim.tenantKey}/content`);
    assert.equal(post.contentType, 'application/json');
    assert.match(post.authorization ?? '', /^Bearer \S+$/);
    assert.deepEqual(JSON.parse(calls('usermatch')[0]!.body), { list: [PATIENT] });
  });

  it('authenticates with HTTP Basic and the client-credentials form', async () => {
    await channel().deliverEach([await aClaimedLetter()], signal);
    const auth = calls('auth');
    assert.equal(auth.length, 1);
    assert.equal(auth[0]!.body, 'grant_type=client_credentials');
    assert.equal(auth[0]!.contentType, 'application/x-www-form-urlencoded');
    const basic = Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64');
    assert.equal(auth[0]!.authorization, `Basic ${basic}`);
  });

  it('reuses the token, and fetches a new one shortly before it expires', async () => {
    const kivra = channel();
    await kivra.deliverEach([await aClaimedLetter({ ssn: PATIENT })], signal);
    await kivra.deliverEach([await aClaimedLetter({ ssn: OTHER_PATIENT })], signal);
    assert.equal(calls('auth').length, 1, 'one token for both letters');
    clock += 3_600_000 - 30_000; // within the last minute of the hour-long token
    await kivra.deliverEach([await aClaimedLetter({ ssn: THIRD_PATIENT })], signal);
    assert.equal(calls('auth').length, 2, 'renewed before expiry');
    assert.equal(sim.contents.length, 3);
    assert.ok(
      calls('content').every((r) => r.status === 201),
      'no call went out with a stale token',
    );
  });

  it('fetches a new token once after a 401 and sends the letter again', async () => {
    const kivra = channel();
    await kivra.deliverEach([await aClaimedLetter({ ssn: PATIENT })], signal);
    sim.revokeTokens();
    const letter = await aClaimedLetter({ ssn: OTHER_PATIENT });
    const outcomes = await kivra.deliverEach([letter], signal);
    assert.equal(outcomes.get(letter.id)?.kind, 'delivered');
    assert.equal(calls('auth').length, 2);
    assert.deepEqual(
      calls('usermatch').map((r) => r.status),
      [200, 401, 200],
    );
  });

  it('retries, without a dead letter, when Kivra refuses our client credentials', async () => {
    const letter = await aClaimedLetter();
    const outcome = (
      await channel({ clientSecret: 'wrong-secret' }).deliverEach([letter], signal)
    ).get(letter.id);
    assert.equal(outcome?.kind, 'retry');
    assert.match(
      (outcome as { reason: string }).reason,
      /^Kivra auth: token endpoint answered HTTP 401$/,
    );
    assert.doesNotMatch(JSON.stringify(outcome), /wrong-secret/);
    assert.equal(calls('content').length, 0);
  });

  it('asks usermatch once for a whole batch, remembers the answer and skips non-users', async () => {
    sim.setUsers([PATIENT, THIRD_PATIENT]);
    const kivra = channel();
    const letters = await Promise.all(
      [PATIENT, OTHER_PATIENT, THIRD_PATIENT].map((ssn) => aClaimedLetter({ ssn })),
    );
    const outcomes = await kivra.deliverEach(letters, signal);
    assert.equal(calls('usermatch').length, 1);
    assert.deepEqual(JSON.parse(calls('usermatch')[0]!.body), {
      list: [PATIENT, OTHER_PATIENT, THIRD_PATIENT],
    });
    assert.deepEqual(
      letters.map((l) => outcomes.get(l.id)?.kind),
      ['delivered', 'skipped', 'delivered'],
    );
    assert.deepEqual(outcomes.get(letters[1]!.id), { kind: 'skipped', reason: 'not a Kivra user' });
    assert.deepEqual(
      sim.contents.map((c) => c.content['ssn']),
      [PATIENT, THIRD_PATIENT],
    );

    await kivra.deliverEach(
      await Promise.all([PATIENT, OTHER_PATIENT].map((ssn) => aClaimedLetter({ ssn }))),
      signal,
    );
    assert.equal(calls('usermatch').length, 1, 'the answers were remembered');
    assert.equal(sim.contents.length, 3);
  });

  it('asks usermatch again once its answer is older than a day', async () => {
    const kivra = channel();
    await kivra.deliverEach([await aClaimedLetter()], signal);
    clock += 24 * 3_600_000;
    await kivra.deliverEach([await aClaimedLetter()], signal);
    assert.equal(calls('usermatch').length, 2);
  });

  it('waits as long as a 429 Retry-After says', async () => {
    sim.failNext(1, { kind: 'rate-limited', retryAfterSeconds: 30 });
    const letter = await aClaimedLetter();
    const outcome = (await channel().deliverEach([letter], signal)).get(letter.id);
    assert.equal(outcome?.kind, 'retry');
    assert.equal((outcome as { afterMs?: number }).afterMs, 30_000);
    assert.match((outcome as { reason: string }).reason, /HTTP 429 42900/);
  });

  it('retries on a 5xx, a reset connection and no answer within the timeout', async () => {
    const kivra = channel({ timeoutMs: 500 });
    // Token and usermatch answer fetched first, so only the content call meets the failure.
    await kivra.deliverEach([await aClaimedLetter()], signal);
    for (const failure of [
      { kind: 'status', status: 503 },
      { kind: 'reset' },
      { kind: 'hang' },
    ] as const) {
      sim.failNext(1, failure);
      const letter = await aClaimedLetter();
      const outcome = (await kivra.deliverEach([letter], signal)).get(letter.id);
      assert.equal(outcome?.kind, 'retry', failure.kind);
      if (failure.kind === 'hang')
        assert.match((outcome as { reason: string }).reason, /no answer within 500 ms/);
    }
    assert.equal(sim.contents.length, 1, 'only the warm-up letter');
  });

  it('dead-letters a 400 at once with Kivra code and message, integer or string code', async () => {
    for (const codeAs of ['number', 'string'] as const) {
      sim.failNext(1, { kind: 'error', status: 400, code: 40009, codeAs });
      const letter = await aClaimedLetter();
      const outcome = (await channel().deliverEach([letter], signal)).get(letter.id);
      assert.equal(outcome?.kind, 'permanent', codeAs);
      const reason = (outcome as { reason: string }).reason;
      assert.match(
        reason,
        /^HTTP 400 40009 "simulated refusal" \(x-correlation-id [0-9a-f-]{36}\)$/,
      );
    }
  });

  it('skips a recipient Kivra no longer knows (40032) and remembers it', async () => {
    const kivra = channel();
    await kivra.deliverEach([await aClaimedLetter()], signal);
    sim.failNext(1, { kind: 'error', status: 400, code: 40032 });
    const letter = await aClaimedLetter();
    const outcome = (await kivra.deliverEach([letter], signal)).get(letter.id);
    assert.equal(outcome?.kind, 'skipped');
    const next = await aClaimedLetter();
    assert.equal((await kivra.deliverEach([next], signal)).get(next.id)?.kind, 'skipped');
    assert.equal(calls('content').length, 2, 'no third content call');
  });

  it('gives up on a passing failure once the visit starts', async () => {
    const letter = await aClaimedLetter({ startUtcMs: clock + 1_000, endUtcMs: clock + 60_000 }, 3);
    const kivra = channel();
    clock += 1_000;
    const tooLate = (await kivra.deliverEach([letter], signal)).get(letter.id);
    assert.deepEqual(tooLate, {
      kind: 'permanent',
      reason: 'the visit started before Kivra took the letter',
    });
    const soon = await aClaimedLetter({ startUtcMs: clock + 500, endUtcMs: clock + 60_000 }, 2);
    sim.failNext(1, { kind: 'rate-limited', retryAfterSeconds: 60 });
    const outcome = (await kivra.deliverEach([soon], signal)).get(soon.id);
    assert.equal(outcome?.kind, 'permanent');
    assert.match((outcome as { reason: string }).reason, /^gave up: the visit starts before Kivra/);
    assert.equal(sim.requests.filter((r) => r.endpoint === 'content').length, 1, 'one try only');
  });

  it('skips a letter whose visit has started before its first attempt, sending nothing', async () => {
    const letter = await aClaimedLetter({ startUtcMs: clock - 1, endUtcMs: clock + 60_000 });
    assert.deepEqual((await channel().deliverEach([letter], signal)).get(letter.id), {
      kind: 'skipped',
      reason: 'the visit has already started',
    });
    assert.equal(sim.requests.length, 0);
  });

  it('refuses a body over 1 MB without sending it', async () => {
    const letter = await aClaimedLetter();
    const big = {
      ...letter,
      payload: { ...letter.payload, body: 'x'.repeat(KIVRA_MAX_BODY_BYTES + 1) },
    };
    const outcome = (await channel().deliverEach([big], signal)).get(big.id);
    assert.equal(outcome?.kind, 'permanent');
    assert.equal(sim.requests.length, 0);
  });
});
