/**
 * The platform's retry (VP resends a MakeBooking once after a socket error)
 * must not make a second booking, and parallel MakeBookings on one slot must
 * give it to exactly one patient.
 */
import { MakeBooking } from '../contracts/scheduling.ts';
import { checks } from './check-catalogue.ts';
import { derivedSubjectOfCare } from './derived-subject-of-care.ts';
import { evidenceOf, outcomeOf, type Slot, type VerifyContext } from './verify-context.ts';

const isDone = (code: string | undefined) => code === 'OK' || code === 'INFO';

/** The same MakeBooking twice: the second gets the same booking (or ERROR); one booking exists. */
export async function checkRetry(ctx: VerifyContext, pool: readonly Slot[]): Promise<void> {
  const slot = ctx.takeSlot(pool);
  if (!slot) {
    ctx.record(checks.retry, 'no free timeslot was left to book');
    return;
  }
  const request = ctx.makeBookingRequest(slot);
  const headers = { logicalAddress: ctx.facility, actor: ctx.actor };
  const first = await ctx.client.call(MakeBooking, request, headers);
  const second = await ctx.client.call(MakeBooking, request, headers);
  const firstId = ctx.remember(first);
  const secondId = ctx.remember(second);
  const schedule = await ctx.schedule();
  const atSlot = schedule.bookings.filter((b) => b.startTimeInclusive === slot.startTimeInclusive);
  const evidence = [
    evidenceOf('first MakeBooking', first),
    evidenceOf('the same MakeBooking again', second),
    evidenceOf('GetSubjectOfCareSchedule afterwards', schedule.exchange),
  ];
  ctx.record(
    checks.retry,
    !firstId || !isDone(first.lenient?.resultCode)
      ? `the first MakeBooking answered ${outcomeOf(first)}`
      : secondId !== undefined && secondId !== firstId
        ? `the repeated request got a second booking (${secondId}, first ${firstId})`
        : atSlot.length !== 1
          ? `the schedule lists ${atSlot.length} bookings at ${slot.startTimeInclusive}, not 1`
          : undefined,
    evidence,
  );
}

/** n patients book one slot at once: exactly one OK/INFO, the others ERROR without a bookingId. */
export async function checkRace(ctx: VerifyContext, pool: readonly Slot[]): Promise<void> {
  const n = ctx.options.race;
  const slot = ctx.takeSlot(pool);
  if (!slot) {
    ctx.record(checks.race, 'no free timeslot was left to book');
    return;
  }
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      ctx.book(
        slot,
        i === 0
          ? ctx.options.subjectOfCare
          : derivedSubjectOfCare(ctx.options.subjectOfCare, i + 1),
      ),
    ),
  );
  const winners = answers.filter((a) => !a.fault && isDone(a.lenient?.resultCode));
  const strange = answers.find(
    (a) => a.fault || (!isDone(a.lenient?.resultCode) && a.lenient?.resultCode !== 'ERROR'),
  );
  const erroneousId = answers.find(
    (a) => a.lenient?.resultCode === 'ERROR' && a.lenient.bookingId !== undefined,
  );
  ctx.record(
    checks.race,
    winners.length !== 1
      ? `${winners.length} of ${n} parallel MakeBookings on ${slot.startTimeInclusive} got OK/INFO, not 1`
      : strange
        ? `a losing MakeBooking answered ${outcomeOf(strange)}, not resultCode=ERROR`
        : erroneousId
          ? 'a losing MakeBooking answered ERROR with a bookingId'
          : undefined,
    [
      ...winners.slice(0, 2).map((w) => evidenceOf('a winning MakeBooking', w)),
      ...(strange ? [evidenceOf('an unexpected answer', strange)] : []),
    ],
  );
}
