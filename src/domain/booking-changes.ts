/**
 * Changes a patient (SOAP) or staff make to bookings: MakeBooking,
 * UpdateBooking, CancelBooking, and housekeeping's report of ended ones.
 *
 * Identity rules (rivta-spec §2.2b): a free slot's id is what MVK echoes in
 * MakeBooking; a booking keeps its own id for life, including when an open
 * invitation is booked or a booking is moved, so its EI key only changes when
 * its categorization or facility does.
 *
 * @module
 */
import {
  runChange,
  writeFirstVersion,
  writeNextVersion,
  type SchedulingContext,
} from './change-transaction.ts';
import type { Invitations } from './invitations.ts';
import { instantToDt } from './local-time.ts';
import { optional, sameId } from './optional-field.ts';
import { facilitiesFor, timeTypeOf } from './reference-data.ts';
import { done, refusal, refused, type ChangeOutcome } from './refusals.ts';
import { findSlot, type SlotCriteria } from './slot-lookup.ts';
import type { Booking, ChangeOrigin, PatientDetails } from './types.ts';

export interface MakeBookingInput extends SlotCriteria {
  readonly facility: string;
  /** A free slot's id, or an open invitation's id. */
  readonly id?: string;
  readonly startTs: string;
  readonly endTs: string;
  readonly subjectOfCare: string;
  readonly patient: PatientDetails;
  readonly reason?: string;
  readonly notification?: string;
  readonly origin: ChangeOrigin;
}

export interface RebookInput extends SlotCriteria {
  readonly bookingId: string;
  readonly facility: string;
  readonly startTs: string;
  readonly endTs: string;
  /** The patient the caller acts for; staff may leave it out. */
  readonly subjectOfCare?: string;
  readonly patient?: PatientDetails;
  /** A new reason; kept only where the time type takes a message. */
  readonly reason?: string;
  readonly notification?: string;
  readonly origin: ChangeOrigin;
}

export interface CancelInput {
  readonly bookingId: string;
  readonly facility: string;
  readonly message?: string;
  readonly subjectOfCare?: string;
  readonly origin: ChangeOrigin;
}

export class BookingChanges {
  readonly #context: SchedulingContext;
  readonly #invitations: Invitations;

  constructor(context: SchedulingContext, invitations: Invitations) {
    this.#context = context;
    this.#invitations = invitations;
  }

  /** MakeBooking: claims a free slot, or books an open invitation. Repeats are answered with the same booking. */
  async makeBooking(input: MakeBookingInput): Promise<ChangeOutcome<Booking>> {
    const result = await this.#makeBookingOnce(input);
    // Identical requests for one open invitation can run side by side (PostgreSQL):
    // all but one lose, to the version check or to the slot the winner took. Asked
    // again, the invitation's rules see the booking it became and answer a repeat.
    if (
      !result.ok &&
      (result.text === refusal.changedMeanwhile || result.text === refusal.slotTaken) &&
      input.id !== undefined &&
      (await this.#context.store.getBooking(input.id)) !== undefined
    )
      return this.#makeBookingOnce(input);
    return result;
  }

  async #makeBookingOnce(input: MakeBookingInput): Promise<ChangeOutcome<Booking>> {
    const now = this.#context.now();
    const result = await runChange<Booking>(this.#context, async (tx, emit) => {
      const slotById = input.id !== undefined ? await tx.getTimeslot(input.id) : undefined;
      if (input.id !== undefined && !slotById) {
        const existing = await tx.getBooking(input.id);
        if (!existing) return refused(refusal.slotNotFound);
        return this.#invitations.book(tx, emit, existing, input, now);
      }
      const slot =
        slotById ?? (await findSlot(tx, input.facility, input.startTs, input.endTs, input));
      if (
        !slot ||
        !sameId(slot.facility, input.facility) ||
        slot.start.ts !== input.startTs ||
        slot.end.ts !== input.endTs ||
        (input.performer !== undefined && !sameId(slot.performer, input.performer)) ||
        (input.timeTypeId !== undefined && slot.timeTypeId !== input.timeTypeId)
      )
        return refused(refusal.slotNotFound);
      if (slot.start.utcMs < now) return refused(refusal.slotInPast);
      const timeType = await timeTypeOf(tx, slot.facility, slot.timeTypeId);
      if (!timeType) return refused(refusal.slotNotFound);
      const holder = await tx.findActiveBookingOnSlot(slot.id);
      if (holder)
        return holder.subjectOfCare === input.subjectOfCare
          ? done(holder, timeType.bookingInfo)
          : refused(refusal.slotTaken);
      if (input.origin === 'soap') {
        const invitation = await this.#invitations.openFor(tx, slot, input.subjectOfCare, now);
        if (invitation) return this.#invitations.book(tx, emit, invitation, input, now, slot);
        if (!timeType.webBookable || !(await tx.getFacility(slot.facility))?.webBookingEnabled)
          return refused(refusal.notBookableOnline);
        if (
          timeType.audience === 'returning-patients' &&
          !(await tx.hasBookingHistory(slot.facility, input.subjectOfCare))
        )
          return refused(refusal.notBookableOnline);
      }
      const at = { origin: input.origin, atUtcMs: now };
      const booking = await writeFirstVersion(tx, emit, at, {
        id: this.#context.newId(),
        facility: slot.facility,
        subjectOfCare: input.subjectOfCare,
        patient: input.patient,
        isInvitation: false,
        slotId: slot.id,
        start: slot.start,
        end: slot.end,
        timeTypeId: slot.timeTypeId,
        ...optional('careTypeId', slot.careTypeId ?? input.careTypeId),
        ...optional('performer', slot.performer),
        ...optional('resourceId', slot.resourceId),
        // A reason is kept only where the time type takes a message, as a cancellation message is.
        ...optional('reason', timeType.messageAllowed ? input.reason : undefined),
        ...optional('notification', input.notification),
      });
      return done(booking, timeType.bookingInfo);
    });
    if ('taken' in result) return this.#answerTaken(result.taken, input.subjectOfCare);
    return result;
  }

  /** After a lost race for a slot: the same patient's repeated request gets its booking back. */
  async #answerTaken(slotId: string, subjectOfCare: string): Promise<ChangeOutcome<Booking>> {
    const holder = await this.#context.store.findActiveBookingOnSlot(slotId);
    if (holder && holder.subjectOfCare === subjectOfCare) {
      const timeType = await timeTypeOf(this.#context.store, holder.facility, holder.timeTypeId);
      return done(holder, timeType?.bookingInfo);
    }
    return refused(refusal.slotTaken);
  }

  /** UpdateBooking: moves a booking or timed invitation to another free slot; afterwards it is a booking. */
  async rebook(input: RebookInput): Promise<ChangeOutcome<Booking>> {
    const now = this.#context.now();
    const result = await runChange<Booking>(this.#context, async (tx, emit) => {
      const booking = await tx.getBooking(input.bookingId);
      if (!booking) return refused(refusal.bookingNotFound);
      if (input.subjectOfCare !== undefined && booking.subjectOfCare !== input.subjectOfCare)
        return refused(refusal.bookingNotYours);
      if (booking.status !== 'active') return refused(refusal.bookingCancelled);
      if (booking.isInvitation && !booking.slotId)
        return refused(refusal.openInvitationNeedsBooking);
      const timeType = await timeTypeOf(tx, booking.facility, booking.timeTypeId);
      if (input.origin === 'soap' && !timeType?.rebookAllowed)
        return refused(refusal.rebookNotAllowed);
      if (booking.start && booking.start.utcMs < now) return refused(refusal.bookingPassed);
      const allowed = await facilitiesFor(booking, tx, input.origin === 'soap');
      const facility = allowed.find((f) => sameId(f.hsaId, input.facility));
      if (!facility) return refused(refusal.facilityNotAllowed);
      if (input.timeTypeId !== undefined && input.timeTypeId !== booking.timeTypeId)
        return refused(refusal.slotNotFound);
      const slot = await findSlot(tx, facility.hsaId, input.startTs, input.endTs, {
        ...input,
        timeTypeId: booking.timeTypeId,
      });
      if (!slot) return refused(refusal.slotNotFound);
      if (slot.start.utcMs < now) return refused(refusal.slotInPast);
      const reason = timeType?.messageAllowed ? input.reason : undefined;
      if (
        slot.id === booking.slotId &&
        !booking.isInvitation &&
        !input.patient &&
        (reason === undefined || reason === booking.reason)
      )
        return done(booking); // a repeat of a move already made
      const moved = await writeNextVersion(
        tx,
        emit,
        { kind: 'changed', before: booking, origin: input.origin, atUtcMs: now },
        {
          facility: slot.facility,
          isInvitation: false,
          slotId: slot.id,
          start: slot.start,
          end: slot.end,
          ...optional('careTypeId', slot.careTypeId ?? booking.careTypeId),
          // The new slot's performer and resource replace the old ones, absent included.
          performer: slot.performer,
          resourceId: slot.resourceId,
          patient: input.patient ?? booking.patient,
          ...optional('reason', reason ?? booking.reason),
          ...optional('notification', input.notification ?? booking.notification),
        },
      );
      return done(moved, timeType?.bookingInfo);
    });
    if ('taken' in result) return refused(refusal.slotTaken);
    return result;
  }

  /**
   * CancelBooking (or staff withdrawing an invitation): frees the slot.
   * Cancelling twice is not an error. Done carries the time type's
   * cancellation text, which CancelBooking answers with resultCode INFO.
   */
  async cancel(input: CancelInput): Promise<ChangeOutcome<Booking>> {
    const now = this.#context.now();
    const result = await runChange<Booking>(this.#context, async (tx, emit) => {
      const booking = await tx.getBooking(input.bookingId);
      if (!booking || !sameId(booking.facility, input.facility))
        return refused(refusal.bookingNotFound);
      if (input.subjectOfCare !== undefined && booking.subjectOfCare !== input.subjectOfCare)
        return refused(refusal.bookingNotYours);
      const timeType = await timeTypeOf(tx, booking.facility, booking.timeTypeId);
      // A repeat (VP retries once) gets the same answer, cancellation text included.
      if (booking.status === 'cancelled') return done(booking, timeType?.cancelInfo);
      if (input.origin === 'soap') {
        // Staff withdraw invitations; a patient cannot decline one online (issue 12 item 3).
        if (booking.isInvitation && booking.slotId === undefined)
          return refused(refusal.invitationNotCancellable);
        if (!timeType?.cancelAllowed) return refused(refusal.cancelNotAllowed);
        if (booking.start && booking.start.utcMs < now) return refused(refusal.bookingPassed);
      }
      const keepMessage =
        input.message !== undefined && input.message !== '' && timeType?.messageAllowed;
      const cancelled = await writeNextVersion(
        tx,
        emit,
        { kind: 'cancelled', before: booking, origin: input.origin, atUtcMs: now },
        {
          status: 'cancelled',
          ...optional('cancelMessage', keepMessage ? input.message : undefined),
        },
      );
      return done(cancelled, timeType?.cancelInfo);
    });
    if ('taken' in result) return refused(refusal.changedMeanwhile);
    return result;
  }

  /**
   * Housekeeping (policy §3.1 item 3): reports each booking whose time has
   * passed and each open invitation whose last day has gone as an `expired`
   * change (origin `housekeeping`), exactly once. The store's mark is written
   * in the same transaction as the listeners' messages, so neither a crash
   * nor a second process can report a booking twice or lose the report.
   * Works in transactions of at most `batchSize` bookings; resolves to how
   * many were reported.
   */
  async expireEnded(options: { readonly batchSize?: number } = {}): Promise<number> {
    const batchSize = options.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const now = this.#context.now();
      let found = 0;
      const result = await runChange<number>(this.#context, async (tx, emit) => {
        const ended = await tx.listExpiring({
          endedBeforeUtcMs: now,
          expiresBeforeDt: instantToDt(now),
          limit: batchSize,
        });
        found = ended.length;
        let reported = 0;
        for (const booking of ended) {
          if (!(await tx.markExpired(booking.id, now))) continue;
          emit({ kind: 'expired', after: booking, origin: 'housekeeping', atUtcMs: now });
          reported += 1;
        }
        return done(reported);
      });
      if ('taken' in result || !result.ok) break;
      total += result.value;
      if (found < batchSize) break;
    }
    return total;
  }
}
