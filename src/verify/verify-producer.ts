/**
 * `verifyProducer`: runs the conformance checks against any crm:scheduling
 * 1.1 producer and returns the report. A normal run books (and cancels
 * every booking it made, also when checks fail midway); `readOnly` runs only
 * the checks that book nothing.
 *
 * @module
 */
import { CancelBooking } from '../contracts/scheduling.ts';
import { maskPersonIdsInText } from '../domain/personnummer.ts';
import {
  createSoapClient,
  type SoapClientOptions,
  type SoapExchange,
} from '../soap-client/soap-client.ts';
import { checkBadInput } from './bad-input-checks.ts';
import {
  checkAvailability,
  checkReferenceData,
  checkUnknownBooking,
  checkWsdl,
} from './catalogue-checks.ts';
import { checks } from './check-catalogue.ts';
import { checkExchanges, timingOf } from './exchange-checks.ts';
import { checkLifecycle } from './lifecycle-checks.ts';
import { checkRace, checkRetry } from './retry-and-race-checks.ts';
import {
  evidenceOf,
  VerifyContext,
  type CheckResult,
  type Evidence,
  type VerifyOptions,
} from './verify-context.ts';

/** Everything a run found, in the shape `--json` prints. Person ids are masked throughout. */
export interface VerifyReport {
  readonly producer: string;
  readonly facility: string;
  /** The patient verify used, masked (`yyyyMMdd-****`). */
  readonly subjectOfCare: string;
  readonly readOnly: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly passed: number;
  readonly failed: number;
  readonly checks: readonly CheckResult[];
  /** Checks that could not run, and why. */
  readonly notes: readonly string[];
  readonly timing: { readonly exchanges: number; readonly p95Ms: number; readonly maxMs: number };
}

export interface VerifyProducerOptions
  extends
    Omit<VerifyOptions, 'now' | 'days' | 'race' | 'readOnly'>,
    Partial<Pick<VerifyOptions, 'now' | 'days' | 'race' | 'readOnly'>> {
  /** How to reach the producer: base URL, per-contract URLs, TLS, timeout; `onExchange` sees every call. */
  readonly client: SoapClientOptions;
}

/** Cancels every booking the run made that is still there; records the clean-up check. */
async function cleanUp(ctx: VerifyContext, before: ReadonlySet<string> | undefined): Promise<void> {
  const { bookings } = await ctx.schedule();
  // What appeared in the patient's schedule during the run is ours too (a booking whose answer got lost).
  for (const b of bookings)
    if (b.bookingId && before && !before.has(b.bookingId))
      ctx.bookingsMade.set(b.bookingId, ctx.options.subjectOfCare);
  const failures: Evidence[] = [];
  for (const [bookingId, subjectOfCare] of ctx.bookingsMade) {
    const cancel = await ctx.client.call(
      CancelBooking,
      { healthcare_facility: ctx.facility, bookingId },
      {
        logicalAddress: ctx.facility,
        actor: { actorId: subjectOfCare, actorType: 'subject_of_care' },
      },
    );
    const code = cancel.lenient?.resultCode;
    if (cancel.fault || (code !== 'OK' && code !== 'INFO'))
      failures.push(evidenceOf(`CancelBooking ${bookingId}`, cancel));
  }
  const after = await ctx.schedule();
  const left = after.bookings.filter((b) => b.bookingId && before && !before.has(b.bookingId));
  ctx.record(
    checks.cleanup,
    before === undefined
      ? 'the schedule could not be read before the run, so what verify booked is not known'
      : failures.length > 0
        ? `${failures.length} of the ${ctx.bookingsMade.size} bookings verify made could not be cancelled`
        : left.length > 0
          ? `${left.length} bookings made during the run are still in the schedule`
          : undefined,
    [
      ...failures,
      ...(left.length > 0
        ? [evidenceOf('GetSubjectOfCareSchedule after the clean-up', after.exchange)]
        : []),
    ],
  );
}

function masked<T>(value: T): T {
  return JSON.parse(maskPersonIdsInText(JSON.stringify(value))) as T;
}

/** Runs the checks and returns the report; never throws for what the producer answers. */
export async function verifyProducer(options: VerifyProducerOptions): Promise<VerifyReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const exchanges: SoapExchange[] = [];
  const client = createSoapClient({
    ...options.client,
    onExchange: (e) => {
      exchanges.push(e);
      options.client.onExchange?.(e);
    },
  });
  const ctx = new VerifyContext(client, {
    facility: options.facility,
    subjectOfCare: options.subjectOfCare,
    ...(options.timeTypeId !== undefined ? { timeTypeId: options.timeTypeId } : {}),
    readOnly: options.readOnly ?? false,
    race: options.race ?? 0,
    days: options.days ?? 14,
    now,
  });

  const reference = await checkReferenceData(ctx);
  const offered = await checkAvailability(ctx, reference);
  // verify books only what it may cancel again.
  const pool = offered.filter((s) => s.cancel_booking_allowed !== false);
  if (!ctx.options.readOnly && pool.length < offered.length)
    ctx.notes.push(
      `${offered.length - pool.length} offered slots do not allow cancelling online; verify books none of them.`,
    );
  await Promise.all([checkUnknownBooking(ctx), checkWsdl(ctx)]);
  const otherFacility = reference.facilities.find(
    (f) => f.toLowerCase() !== ctx.facility.toLowerCase(),
  );
  if (ctx.options.readOnly) {
    await checkBadInput(ctx, pool, otherFacility);
  } else {
    const snapshot = await ctx.schedule();
    const before = snapshot.exchange.lenient
      ? new Set(snapshot.bookings.flatMap((b) => (b.bookingId ? [b.bookingId] : [])))
      : undefined;
    try {
      await checkLifecycle(ctx, pool);
      await checkRetry(ctx, pool);
      if (ctx.options.race >= 2) await checkRace(ctx, pool);
      else ctx.notes.push(`${checks.race.id} was not run: give --race <n> (n ≥ 2) to run it.`);
      await checkBadInput(ctx, pool, otherFacility);
    } finally {
      await cleanUp(ctx, before);
    }
  }
  checkExchanges(ctx, exchanges);

  const order = (r: CheckResult) => (r.mustHave === 0 ? Number.MAX_SAFE_INTEGER : r.mustHave);
  const results = [...ctx.results].sort((a, b) => order(a) - order(b));
  const passed = results.filter((r) => r.passed).length;
  return masked({
    producer: options.client.baseUrl,
    facility: options.facility,
    subjectOfCare: options.subjectOfCare,
    readOnly: ctx.options.readOnly,
    startedAt: new Date(started).toISOString(),
    durationMs: Math.round(now() - started),
    passed,
    failed: results.length - passed,
    checks: results,
    notes: ctx.notes,
    timing: timingOf(exchanges),
  });
}
