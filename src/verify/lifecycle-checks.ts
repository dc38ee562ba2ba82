/**
 * The MVK lifecycle on one slot: book, see it taken, shown in the details
 * and the schedule, refused to a second patient, move it to a rebooking
 * option, cancel it; the slots come free again at each step.
 */
import { CancelBooking, GetBookingDetails, UpdateBooking } from '../contracts/scheduling.ts';
import type { SoapExchange } from '../soap-client/soap-client.ts';
import { checks } from './check-catalogue.ts';
import { derivedSubjectOfCare } from './derived-subject-of-care.ts';
import {
  evidenceOf,
  isOffered,
  outcomeOf,
  slotKey,
  type Slot,
  type VerifyContext,
} from './verify-context.ts';

const isDone = (code: string | undefined) => code === 'OK' || code === 'INFO';

/** The fields GetBookingDetails must fill in for a booking (rivta-spec §6 item 15). */
const detailFields = [
  'healthcare_facility',
  'subject_of_care',
  'bookingId',
  'timeTypeID',
  'cancel_booking_allowed',
  'rebooking_allowed',
  'message_allowed',
] as const;

async function details(ctx: VerifyContext, bookingId: string) {
  return ctx.client.call(
    GetBookingDetails,
    { healthcare_facility: ctx.facility, bookingId },
    { logicalAddress: ctx.facility, actor: ctx.actor },
  );
}

function detailsProblem(
  exchange: SoapExchange<typeof GetBookingDetails>,
  bookingId: string,
  slot: Slot,
  subjectOfCare: string,
): string | undefined {
  if (exchange.fault || !exchange.lenient) return `the answer was ${outcomeOf(exchange)}`;
  const detail = exchange.lenient.timeslotDetail;
  if (!detail) return 'the answer has no timeslotDetail';
  const missing = detailFields.filter((f) => detail[f] === undefined);
  if (missing.length > 0) return `timeslotDetail lacks ${missing.join(', ')}`;
  if (detail.bookingId !== bookingId)
    return `timeslotDetail/bookingId is ${detail.bookingId}, not the requested ${bookingId}`;
  if (detail.subject_of_care !== subjectOfCare)
    return 'timeslotDetail/subject_of_care is not the patient who booked';
  if (
    detail.startTimeInclusive !== slot.startTimeInclusive ||
    detail.endTimeExclusive !== slot.endTimeExclusive
  )
    return `the booking is shown ${detail.startTimeInclusive}–${detail.endTimeExclusive}, booked ${slot.startTimeInclusive}–${slot.endTimeExclusive}`;
  if (detail.isInvitation === true)
    return 'a booking made with MakeBooking is shown with isInvitation=true';
  return undefined;
}

/** Runs the lifecycle on a slot of `pool`; cancels what it booked through the run's clean-up. */
export async function checkLifecycle(ctx: VerifyContext, pool: readonly Slot[]): Promise<void> {
  const slot = ctx.takeSlot(
    pool,
    (s) => s.cancel_booking_allowed === true && s.rebooking_allowed === true,
  );
  if (!slot) {
    ctx.record(
      checks.makeBooking,
      `no free timeslot was offered within ${ctx.options.days} days to book`,
    );
    return;
  }
  const made = await ctx.book(slot);
  const bookingId = made.lenient?.bookingId;
  const code = made.lenient?.resultCode;
  ctx.record(
    checks.makeBooking,
    made.fault || !isDone(code)
      ? `the answer was ${outcomeOf(made)}${made.lenient?.resultText ? `: ${made.lenient.resultText}` : ''}`
      : !bookingId
        ? `resultCode=${code} without a bookingId`
        : undefined,
    [evidenceOf('MakeBooking on a free slot', made)],
  );
  if (!bookingId || !isDone(code)) return;

  const subjectOfCare = ctx.options.subjectOfCare;
  const [afterBooking, shown, schedule, taken] = await Promise.all([
    ctx.freeSlots(),
    details(ctx, bookingId),
    ctx.schedule(),
    ctx.book(slot, derivedSubjectOfCare(subjectOfCare, 1)),
  ]);
  ctx.record(
    checks.bookedSlotGone,
    isOffered(slot, afterBooking.slots)
      ? `the slot ${slot.startTimeInclusive} was booked (bookingId ${bookingId}) and is still offered`
      : undefined,
    [
      evidenceOf('MakeBooking', made),
      evidenceOf('GetAvailableTimeslots afterwards', afterBooking.exchange),
    ],
  );
  ctx.record(checks.bookingDetails, detailsProblem(shown, bookingId, slot, subjectOfCare), [
    evidenceOf('GetBookingDetails', shown),
  ]);
  const entry = schedule.bookings.find((b) => b.bookingId === bookingId);
  const scheduleFields = [
    'startTimeInclusive',
    'endTimeExclusive',
    'healthcare_facility',
    'bookingId',
    'subject_of_care',
  ] as const;
  const incomplete = schedule.bookings.find((b) => scheduleFields.some((f) => b[f] === undefined));
  ctx.record(
    checks.scheduleShows,
    schedule.exchange.fault || !schedule.exchange.lenient
      ? `the answer was ${outcomeOf(schedule.exchange)}`
      : !entry
        ? `the schedule does not list booking ${bookingId}`
        : incomplete
          ? `a schedule entry (bookingId ${incomplete.bookingId ?? 'missing'}) lacks ${scheduleFields.filter((f) => incomplete[f] === undefined).join(', ')}`
          : entry.startTimeInclusive !== slot.startTimeInclusive
            ? `the schedule shows the booking at ${entry.startTimeInclusive}, booked at ${slot.startTimeInclusive}`
            : undefined,
    [evidenceOf('GetSubjectOfCareSchedule', schedule.exchange)],
  );
  ctx.record(
    checks.takenSlot,
    taken.fault
      ? `the answer was ${outcomeOf(taken)}, not resultCode=ERROR`
      : taken.lenient?.resultCode !== 'ERROR'
        ? `another patient's MakeBooking on the taken slot got resultCode=${taken.lenient?.resultCode}`
        : taken.lenient.bookingId !== undefined
          ? 'the ERROR answer carries a bookingId'
          : !taken.lenient.resultText?.trim()
            ? 'the ERROR answer has no resultText'
            : undefined,
    [evidenceOf('MakeBooking by another patient on the taken slot', taken)],
  );

  const moved = await checkRebooking(ctx, slot, bookingId);
  await checkCancel(ctx, moved ?? slot, bookingId);
}

/** Rebooking options, UpdateBooking to one of them, the old slot free again. Returns the new slot. */
async function checkRebooking(
  ctx: VerifyContext,
  slot: Slot,
  bookingId: string,
): Promise<Slot | undefined> {
  if (slot.rebooking_allowed === false) {
    ctx.notes.push('UpdateBooking was not tried: no offered slot allows rebooking.');
    return undefined;
  }
  const options = await ctx.freeSlots(bookingId);
  const now = ctx.nowTs();
  const target = options.slots.find(
    (o) => slotKey(o) !== slotKey(slot) && (o.startTimeInclusive ?? '') >= now,
  );
  const past = options.slots.find((o) => (o.startTimeInclusive ?? '') < now);
  ctx.record(
    checks.rebookingOptions,
    options.exchange.fault || !options.exchange.lenient
      ? `the answer was ${outcomeOf(options.exchange)}`
      : past
        ? `a rebooking option starts ${past.startTimeInclusive}, in the past`
        : !target
          ? 'no rebooking option other than the booked slot itself'
          : undefined,
    [evidenceOf('GetAvailableTimeslots with the bookingId', options.exchange)],
  );
  if (!target) return undefined;

  const update = await ctx.client.call(
    UpdateBooking,
    {
      requestedTimeslot: {
        ...ctx.requestedTimeslot(target),
        bookingId: target.bookingId ?? bookingId,
      },
    },
    { logicalAddress: ctx.facility, actor: ctx.actor },
  );
  const updated = isDone(update.lenient?.resultCode) && !update.fault;
  const [shown, afterUpdate] = updated
    ? await Promise.all([details(ctx, bookingId), ctx.freeSlots()])
    : [undefined, undefined];
  const shownDetail = shown?.lenient?.timeslotDetail;
  ctx.record(
    checks.updateBooking,
    !updated
      ? `the answer was ${outcomeOf(update)}${update.lenient?.resultText ? `: ${update.lenient.resultText}` : ''}`
      : shownDetail?.startTimeInclusive !== target.startTimeInclusive
        ? `after UpdateBooking to ${target.startTimeInclusive}, GetBookingDetails shows ${shownDetail?.startTimeInclusive ?? outcomeOf(shown!)}`
        : shownDetail?.isInvitation === true
          ? 'after UpdateBooking the booking is shown with isInvitation=true'
          : undefined,
    [
      evidenceOf('UpdateBooking', update),
      ...(shown ? [evidenceOf('GetBookingDetails afterwards', shown)] : []),
    ],
  );
  if (!afterUpdate) return undefined;
  ctx.record(
    checks.updateFreesOld,
    isOffered(slot, afterUpdate.slots)
      ? undefined
      : `the old slot ${slot.startTimeInclusive} is not offered again`,
    [evidenceOf('GetAvailableTimeslots after UpdateBooking', afterUpdate.exchange)],
  );
  return target;
}

/** CancelBooking: OK, the slot free again, the booking gone from the schedule. */
async function checkCancel(ctx: VerifyContext, slot: Slot, bookingId: string): Promise<void> {
  const cancel = await ctx.client.call(
    CancelBooking,
    { healthcare_facility: ctx.facility, bookingId },
    { logicalAddress: ctx.facility, actor: ctx.actor },
  );
  const cancelled = !cancel.fault && isDone(cancel.lenient?.resultCode);
  if (cancelled) ctx.bookingsMade.delete(bookingId);
  const [afterCancel, schedule] = cancelled
    ? await Promise.all([ctx.freeSlots(), ctx.schedule()])
    : [undefined, undefined];
  ctx.record(
    checks.cancelBooking,
    !cancelled
      ? `the answer was ${outcomeOf(cancel)}${cancel.lenient?.resultText ? `: ${cancel.lenient.resultText}` : ''}`
      : schedule!.bookings.some((b) => b.bookingId === bookingId)
        ? `the cancelled booking ${bookingId} is still in the schedule`
        : undefined,
    [
      evidenceOf('CancelBooking', cancel),
      ...(schedule ? [evidenceOf('GetSubjectOfCareSchedule afterwards', schedule.exchange)] : []),
    ],
  );
  if (!afterCancel) return;
  ctx.record(
    checks.cancelFreesSlot,
    isOffered(slot, afterCancel.slots)
      ? undefined
      : `the slot ${slot.startTimeInclusive} is not offered again`,
    [evidenceOf('GetAvailableTimeslots after CancelBooking', afterCancel.exchange)],
  );
}
