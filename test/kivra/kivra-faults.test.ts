/**
 * Kivra misbehaving, end to end: nothing is lost, nothing is sent twice
 * except as an identical-bytes retry, letters to one recipient keep their
 * order, and no log line holds a secret, a token or a personnummer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KIVRA_KEY_GAP_MS } from '../../src/channels/kivra/kivra-channel.ts';
import { soapCancelBooking, soapMakeBooking } from '../support/booking-calls.ts';
import { captureLogs } from '../support/log-capture.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { startKivraTestApp, type KivraTestApp } from './kivra-test-app.ts';

const PERSON_ID = /(?<![0-9])[0-9]{8}-?[0-9pPtTfF][0-9]{3}(?![0-9])/;

describe('Kivra faults end to end', () => {
  const logs = captureLogs();
  let t: KivraTestApp;
  let next = 0;
  before(async () => {
    t = await startKivraTestApp({
      logger: logs.logger,
      kivra: { timeoutMs: 400 },
      keyGapMs: 0,
    });
  });
  after(async () => {
    await t.close();
    await new Promise<void>((resolve) => logs.logger.flush(() => resolve()));
    const secrets = [
      t.config.clientSecret,
      Buffer.from(`${t.config.clientId}:${t.config.clientSecret}`).toString('base64'),
    ];
    for (const line of logs.lines) {
      assert.doesNotMatch(line, PERSON_ID, 'a log line holds a person id in clear');
      for (const secret of secrets)
        assert.ok(!line.includes(secret), 'a log line holds the client secret');
      assert.doesNotMatch(line, /Bearer /i, 'a log line holds a bearer token');
    }
  });

  /** A booking for a patient of its own, so one test's dead letter cannot hold up another's. */
  async function book(patient: string) {
    const slot = t.calendar.doctorSlots[next++]!;
    const bookingId = await soapMakeBooking(t.url, slot, { subjectOfCare: patient });
    return { slot, bookingId };
  }
  const contentRequestsFor = (patient: string) =>
    t.kivra.requests.filter(
      (r) => r.endpoint === 'content' && r.body.includes(`"ssn":"${patient}"`),
    );
  const acceptedFor = (patient: string) =>
    t.kivra.contents.filter((c) => c.content['ssn'] === patient);

  it('delivers once Kivra is back after 5xx, resending the identical bytes', async () => {
    const patient = '198001012384';
    t.kivra.failNext(3, { kind: 'status', status: 503 });
    await book(patient);
    await t.drained();
    const attempts = contentRequestsFor(patient);
    assert.deepEqual(
      attempts.map((r) => r.status),
      [503, 503, 503, 201],
    );
    assert.equal(new Set(attempts.map((r) => r.body)).size, 1, 'every attempt sent the same bytes');
    assert.equal(acceptedFor(patient).length, 1);
  });

  it('waits out a 429 Retry-After before trying again', async () => {
    const patient = '198002022383';
    t.kivra.failNext(1, { kind: 'rate-limited', retryAfterSeconds: 1 });
    await book(patient);
    await t.drained();
    const [limited, accepted, ...more] = contentRequestsFor(patient);
    assert.equal(more.length, 0);
    assert.equal(limited!.status, 429);
    assert.equal(accepted!.status, 201);
    assert.ok(accepted!.atUtcMs - limited!.atUtcMs >= 1_000, 'retried no sooner than Retry-After');
    assert.equal(accepted!.body, limited!.body);
  });

  it('retries a call that hangs past the timeout, then delivers once', async () => {
    const patient = '198003032382';
    t.kivra.failNext(1, { kind: 'hang' });
    await book(patient);
    await t.drained();
    const attempts = contentRequestsFor(patient);
    assert.deepEqual(
      attempts.map((r) => r.status),
      [0, 201],
    );
    assert.equal(attempts[0]!.body, attempts[1]!.body);
    assert.equal(acceptedFor(patient).length, 1);
  });

  it('dead-letters a 400 40009 at once, with Kivra code and message, never retried', async () => {
    const patient = '198004042381';
    t.kivra.failNext(1, { kind: 'error', status: 400, code: 40009, codeAs: 'string' });
    await book(patient);
    await t.drained();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(contentRequestsFor(patient).length, 1);
    const { dead } = await t.app.outbox.status('kivra');
    assert.equal(dead.length, 1);
    assert.match(
      dead[0]!.error,
      /^HTTP 400 40009 "simulated refusal" \(x-correlation-id [0-9a-f-]{36}\)$/,
    );
    assert.equal(dead[0]!.attempts, 1);
    assert.doesNotMatch(dead[0]!.key, PERSON_ID);
    assert.equal(await t.app.outbox.retryDead('all'), 1, 'an operator can send it again');
    await t.drained();
    assert.equal(acceptedFor(patient).length, 1);
  });

  it('skips a recipient who is not a Kivra user: no content, no error, no dead letter', async () => {
    const patient = '198005052380';
    t.kivra.setUsers(['191212121212']);
    try {
      await book(patient);
      await t.drained();
    } finally {
      t.kivra.setUsers('everyone');
    }
    assert.equal(contentRequestsFor(patient).length, 0);
    const usermatch = t.kivra.requests.filter(
      (r) => r.endpoint === 'usermatch' && r.body.includes(patient),
    );
    assert.equal(usermatch.length, 1);
    const status = await t.app.outbox.status('kivra');
    assert.equal(status.dead.length, 0);
    assert.ok(status.skipped >= 1);
  });

  it('keeps a cancellation behind its booking letter while Kivra fails', async () => {
    const patient = '198006062389';
    t.kivra.failNext(2, { kind: 'status', status: 502 });
    const { bookingId } = await book(patient);
    await soapCancelBooking(t.url, FACILITY, bookingId, patient);
    await t.drained();
    assert.deepEqual(
      acceptedFor(patient).map((c) => c.content['subject']),
      ['Bokad tid', 'Avbokad tid'],
    );
    const subjects = contentRequestsFor(patient).map(
      (r) => (JSON.parse(r.body) as { subject: string }).subject,
    );
    assert.deepEqual(
      subjects,
      ['Bokad tid', 'Bokad tid', 'Bokad tid', 'Avbokad tid'],
      'never overtaken',
    );
  });

  it('fetches a new token after a 401 and delivers', async () => {
    const patient = '198007072388';
    const auths = t.kivra.requests.filter((r) => r.endpoint === 'auth').length;
    t.kivra.revokeTokens();
    await book(patient);
    await t.drained();
    assert.equal(t.kivra.requests.filter((r) => r.endpoint === 'auth').length, auths + 1);
    assert.equal(acceptedFor(patient).length, 1);
  });
});

describe('Kivra rate limit per recipient', () => {
  let t: KivraTestApp;
  before(async () => {
    t = await startKivraTestApp();
  });
  after(() => t.close());

  it('sends letters to one recipient at least 1.2 s apart (at most 50 a minute)', async () => {
    const [a, b, c] = t.calendar.doctorSlots;
    for (const slot of [a!, b!, c!]) await soapMakeBooking(t.url, slot);
    await t.drained();
    const times = t.kivra.contents.map((x) => x.atUtcMs);
    assert.equal(times.length, 3);
    for (let i = 1; i < times.length; i++)
      assert.ok(
        times[i]! - times[i - 1]! >= KIVRA_KEY_GAP_MS - 50,
        `gap ${times[i]! - times[i - 1]!} ms`,
      );
  });
});
