/**
 * EI faults through the whole app (SOAP in, dispatcher, channel, simulator
 * out): EI down, EI hanging past the timeout, EI000 then OK, EI002. After
 * recovery nothing is lost, nothing is duplicated beyond at-least-once, each
 * key's updates arrived in order and never two at once (rivta-spec §4;
 * must-haves 27, 28). The dispatcher-level versions of these are in
 * test/outbox/ei-dispatch.test.ts; here the changes come from real booking
 * calls and the check is against the store's own booking state.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startEiSimulator, type EiSimulator } from '../../src/dev/ei-simulator.ts';
import {
  outboxKeyOf,
  type EngagementTransaction,
} from '../../src/channels/engagement-index/engagement-mapping.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { soapCancelBooking, soapMakeBooking, soapUpdateBooking } from '../support/booking-calls.ts';
import {
  assertEveryCallConforms,
  bookingState,
  collapseRepeats,
  eiState,
  waitFor,
} from '../support/ei-checks.ts';
import { FACILITY, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';
import { startEiTestApp, TEST_EI_CONFIG, type EiTestApp } from '../support/test-app.ts';

const step = (t: {
  readonly deleteFlag: boolean;
  readonly engagement: { readonly mostRecentContent?: string };
}) => (t.deleteFlag ? 'delete' : `upsert ${t.engagement.mostRecentContent ?? ''}`);

/**
 * A morning's changes over SOAP and from staff, touching several keys:
 * create, move at the unit, cancel, an open invitation booked, a move to the
 * partner unit, and one booking left alone. Returns how many were made.
 */
async function workload(t: EiTestApp): Promise<number> {
  const doctor = (i: number) => t.calendar.doctorSlots[i]!;
  const a = await soapMakeBooking(t.url, doctor(0));
  const b = await soapMakeBooking(t.url, doctor(1));
  await soapUpdateBooking(t.url, a, doctor(6));
  await soapCancelBooking(t.url, FACILITY, b);
  const invited = await t.app.service.createInvitation({
    facility: FACILITY,
    subjectOfCare: PATIENT,
    patient: PATIENT_INFO,
    timeTypeId: 'TT-LAK',
    purpose: 'Dags för kontroll',
  });
  assert.ok(invited.ok);
  await soapMakeBooking(t.url, doctor(2), { bookingId: invited.value.booking.id });
  await soapUpdateBooking(t.url, a, t.calendar.partnerSlots[1]!);
  await soapMakeBooking(t.url, doctor(3));
  return 8;
}

/**
 * What EI got equals what the outbox holds and what the store says:
 * - EI's final engagements are exactly the active bookings and invitations;
 * - per key, the accepted transactions are the outbox messages in order,
 *   each exactly once (`exactlyOnce`) or with repeats only next to
 *   themselves (at-least-once, when EI applied a call whose answer was lost);
 * - no key was ever in two calls at once, and nothing is left or dead.
 */
async function assertRecovered(t: EiTestApp, ei: EiSimulator, exactlyOnce: boolean) {
  await t.drained();
  const status = await t.app.outbox.status();
  assert.deepEqual(status.dead, [], 'no dead letters');

  assert.deepEqual(eiState(ei.engagements()), await bookingState(t.app.store));

  const queued = new Map<string, string[]>();
  for (const m of await t.app.store.listOutbox()) {
    const steps = queued.get(m.key) ?? [];
    steps.push(step(m.payload as EngagementTransaction));
    queued.set(m.key, steps);
  }
  const received = new Map<string, string[]>();
  for (const call of ei.calls.filter((c) => c.outcome === 'OK'))
    for (const t of call.transactions) {
      const key = outboxKeyOf(t.engagement as EngagementTransaction['engagement']);
      const steps = received.get(key) ?? [];
      steps.push(step(t));
      received.set(key, steps);
    }
  assert.deepEqual([...received.keys()].sort(), [...queued.keys()].sort(), 'every key reached EI');
  for (const [key, steps] of queued) {
    const got = received.get(key)!;
    if (exactlyOnce) assert.deepEqual(got, steps, 'each update once, in order');
    else assert.deepEqual(collapseRepeats(got), steps, 'in order, repeats only back to back');
  }
  assert.deepEqual(ei.overlappingKeys, [], 'never two calls in flight for one key');
  assertEveryCallConforms(ei);
}

const injected = (ei: EiSimulator, kind: string) =>
  ei.calls.filter((c) => c.outcome === `injected ${kind}`).length;

describe('EI faults, end to end', () => {
  let t: EiTestApp | undefined;
  const extra: EiSimulator[] = [];
  afterEach(async () => {
    await t?.close();
    t = undefined;
    for (const sim of extra.splice(0)) await sim.close();
  });

  it('EI resetting connections for a while: everything arrives once, in order', async () => {
    t = await startEiTestApp();
    t.ei.failNext(6, 'connection-reset');
    const changes = await workload(t);
    assert.equal(changes, 8);
    await assertRecovered(t, t.ei, true);
    assert.equal(injected(t.ei, 'connection-reset'), 6, 'the faults did happen');
  });

  it('EI stopped and started again on the same port: what queued meanwhile all arrives', async () => {
    t = await startEiTestApp();
    const port = Number(new URL(t.ei.url).port);
    await t.ei.close();

    await workload(t);
    // The dispatcher keeps trying against the closed port: nothing goes, nothing is dropped.
    await waitFor('a failed attempt recorded', async () => {
      const status = await t!.app.outbox.status();
      return status.pending > 0 && status.inFlight === 0;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const down = await t.app.outbox.status();
    assert.equal(down.dead.length, 0);
    assert.ok(down.pending > 0, 'still queued while EI is down');

    const revived = await startEiSimulator({ port, hsaId: TEST_EI_CONFIG.logicalAddress });
    extra.push(revived);
    await assertRecovered(t, revived, true);
  });

  it('EI hanging past the timeout: unanswered calls are sent again and arrive once', async () => {
    t = await startEiTestApp({ eiTimeoutMs: 300 });
    t.ei.failNext(3, 'hang');
    await workload(t);
    await assertRecovered(t, t.ei, true);
    assert.equal(injected(t.ei, 'hang'), 3);
  });

  it('EI answering after the timeout: it applied the call, the resend repeats it, order still holds', async () => {
    t = await startEiTestApp({ eiTimeoutMs: 300 });
    t.ei.setDelay(500);
    const work = workload(t);
    await waitFor('a few late answers', () => t!.ei.calls.length >= 4);
    t.ei.setDelay(0);
    await work;
    await assertRecovered(t, t.ei, false);
    const keys = t.ei.calls.flatMap((c) => c.transactions.map((x) => x.key));
    assert.ok(new Set(keys).size < keys.length, 'some updates did reach EI twice');
  });

  it('EI answering EI000, then OK: retried until it succeeds, nothing dead', async () => {
    t = await startEiTestApp();
    t.ei.failNext(3, 'http500-EI000');
    await workload(t);
    await assertRecovered(t, t.ei, true);
    assert.equal(injected(t.ei, 'http500-EI000'), 3);
  });

  it('EI002: a dead letter with the fault, an alert, no retry, the key held back until an operator re-queues it', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      destination: {
        write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
      },
    });
    t = await startEiTestApp({ logger });
    const app = t.app;
    t.ei.failNext(1, 'EI002');
    const refused = await soapMakeBooking(t.url, t.calendar.doctorSlots[0]!);
    await waitFor('a dead letter', async () => (await app.outbox.status()).dead.length === 1);

    const { dead } = await app.outbox.status();
    assert.match(dead[0]!.error, /EI002/);
    assert.equal(dead[0]!.attempts, 1);
    assert.ok(!dead[0]!.key.includes(PATIENT), 'the key is shown masked');
    const alerts = lines.filter((l) => l['alert'] === true);
    assert.equal(alerts.length, 1, 'one alert');
    assert.match(String(alerts[0]!['reason']), /EI002/);
    assert.ok(!JSON.stringify(lines).includes(PATIENT), 'no person id in clear in the log');

    // Other keys keep flowing; the refused key's later update waits behind its dead letter.
    const other = await soapMakeBooking(t.url, t.calendar.doctorSlots[1]!);
    await soapCancelBooking(t.url, FACILITY, refused);
    await waitFor('the other booking in EI', () =>
      t!.ei.engagements().some((e) => e.businessObjectInstanceIdentifier === other),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const refusedCalls = () =>
      t!.ei.calls.filter((c) =>
        c.transactions.some((x) => x.engagement.businessObjectInstanceIdentifier === refused),
      );
    assert.equal(refusedCalls().length, 1, 'never retried automatically');
    const held = await app.outbox.status();
    assert.equal(held.pending, 1, 'the cancellation waits behind the dead letter');
    assert.equal(held.dead.length, 1);

    assert.equal(await app.outbox.retryDead('all'), 1);
    await t.drained();
    assert.deepEqual(
      refusedCalls().map((c) => c.transactions.map((x) => (x.deleteFlag ? 'delete' : 'upsert'))),
      [['upsert'], ['upsert'], ['delete']],
      'after the operator’s retry: the create, then the cancellation',
    );
    await assertRecovered(t, t.ei, true);
  });
});
