/**
 * Invitations (kallelser): staff create and change them, and a patient books
 * an open one through MakeBooking.
 *
 * @module
 */
import type { StoreTx } from '../store/calendar-store.ts';
import type { BookingChange } from './booking-change.ts';
import type { MakeBookingInput } from './booking-changes.ts';
import {
  notifyListeners,
  RefusedChange,
  runChange,
  writeFirstVersion,
  writeNextVersion,
  type Emit,
  type SchedulingContext,
} from './change-transaction.ts';
import { purposeAsSent } from './invitation-text.ts';
import { instantToDt } from './local-time.ts';
import { optional, sameId } from './optional-field.ts';
import { facilitiesFor, timeTypeOf } from './reference-data.ts';
import { done, refusal, refused, type ChangeOutcome } from './refusals.ts';
import { findSlot } from './slot-lookup.ts';
import type { Booking, PatientDetails, Timeslot } from './types.ts';

export interface NewInvitation {
  readonly id?: string;
  readonly facility: string;
  readonly subjectOfCare: string;
  readonly patient: PatientDetails;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  /** Plain text or entity-escaped DocBook 5; an invitation must have one (TKB §2.1). */
  readonly purpose: string;
  /** Timed invitation: the slot it reserves. Open invitations leave both out. */
  readonly slotId?: string;
  readonly expiresOn?: string;
}

/** A booking is one the patient made from an invitation when it carries the invitation text. */
const cameFromInvitation = (b: Booking) => !b.isInvitation && b.purpose !== undefined;

export class Invitations {
  readonly #context: SchedulingContext;

  constructor(context: SchedulingContext) {
    this.#context = context;
  }

  /**
   * Books an open invitation with MakeBooking(invitation id): the invitation
   * becomes the booking and keeps its id. Runs inside the caller's change.
   * `chosen` is the free slot the request named, when it named one.
   */
  async book(
    tx: StoreTx,
    emit: Emit,
    invitation: Booking,
    input: MakeBookingInput,
    now: number,
    chosen?: Timeslot,
  ): Promise<ChangeOutcome<Booking>> {
    if (invitation.subjectOfCare !== input.subjectOfCare) return refused(refusal.bookingNotYours);
    if (invitation.status !== 'active') return refused(refusal.bookingNotFound);
    if (cameFromInvitation(invitation)) {
      // Booked already: the platform's retry of the same request gets the same answer.
      const repeat = invitation.start?.ts === input.startTs && invitation.end?.ts === input.endTs;
      return repeat ? done(invitation) : refused(refusal.invitationAlreadyBooked);
    }
    if (!invitation.isInvitation || invitation.slotId) return refused(refusal.notAnOpenInvitation);
    if (invitation.expiresOn !== undefined && invitation.expiresOn < instantToDt(now))
      return refused(refusal.invitationExpired);

    const allowed = await facilitiesFor(invitation, tx, input.origin === 'soap');
    const facility = allowed.find((f) => sameId(f.hsaId, input.facility));
    if (!facility) return refused(refusal.facilityNotAllowed);
    const slot =
      chosen ??
      (await findSlot(tx, facility.hsaId, input.startTs, input.endTs, {
        ...input,
        timeTypeId: invitation.timeTypeId,
      }));
    if (!slot || (input.timeTypeId !== undefined && input.timeTypeId !== invitation.timeTypeId))
      return refused(refusal.slotNotFound);
    if (slot.start.utcMs < now) return refused(refusal.slotInPast);
    if (await tx.findActiveBookingOnSlot(slot.id)) return refused(refusal.slotTaken);
    const timeType = await timeTypeOf(tx, slot.facility, slot.timeTypeId);
    const booked = await writeNextVersion(
      tx,
      emit,
      { kind: 'created', before: invitation, origin: input.origin, atUtcMs: now },
      {
        facility: slot.facility,
        patient: input.patient,
        isInvitation: false,
        slotId: slot.id,
        start: slot.start,
        end: slot.end,
        ...optional('careTypeId', slot.careTypeId ?? invitation.careTypeId),
        performer: slot.performer,
        resourceId: slot.resourceId,
        ...optional(
          'reason',
          (timeType?.messageAllowed ? input.reason : undefined) ?? invitation.reason,
        ),
        ...optional('notification', input.notification ?? invitation.notification),
      },
    );
    return done(booked, timeType?.bookingInfo);
  }

  /**
   * The patient's open invitation a new booking of `slot` fulfils (issue 12
   * item 1): MVK sends a patient from an open invitation into its ordinary
   * new-booking flow, which names the free slot, not the invitation. One at
   * the slot's facility for the slot's time type, not expired; of several,
   * the one that expires first (one without a last day comes last).
   */
  async openFor(
    tx: StoreTx,
    slot: Timeslot,
    subjectOfCare: string,
    now: number,
  ): Promise<Booking | undefined> {
    const today = instantToDt(now);
    const open = (await tx.listActiveBookingsOfSubject(slot.facility, subjectOfCare)).filter(
      (b) =>
        b.isInvitation &&
        b.slotId === undefined &&
        b.timeTypeId === slot.timeTypeId &&
        (b.expiresOn === undefined || b.expiresOn >= today),
    );
    const lastDay = (b: Booking) => b.expiresOn ?? '99999999';
    open.sort((a, b) => lastDay(a).localeCompare(lastDay(b)) || a.createdAt - b.createdAt);
    return open[0];
  }

  /**
   * Staff create an invitation (kallelse): open, or timed on a free slot.
   * With an `id` that already exists nothing changes and the existing one is
   * returned with `created: false` (idempotent calendar import).
   */
  async create(
    input: NewInvitation,
    tx?: StoreTx,
  ): Promise<ChangeOutcome<{ booking: Booking; created: boolean }>> {
    const now = this.#context.now();
    if (tx) {
      // Inside a caller's transaction (calendar import): run listeners on the same tx.
      const changes: BookingChange[] = [];
      const outcome = await this.#createIn(tx, (c) => changes.push(c), input, now);
      await notifyListeners(this.#context, tx, changes);
      return outcome;
    }
    const result = await runChange(this.#context, (t, emit) => this.#createIn(t, emit, input, now));
    if ('taken' in result) return refused(refusal.slotTaken);
    return result;
  }

  async #createIn(
    t: StoreTx,
    emit: Emit,
    input: NewInvitation,
    now: number,
  ): Promise<ChangeOutcome<{ booking: Booking; created: boolean }>> {
    type Result = { booking: Booking; created: boolean };
    if (input.id !== undefined) {
      const existing = await t.getBooking(input.id);
      if (existing) return done({ booking: existing, created: false });
    }
    const facility = await t.getFacility(input.facility);
    if (!facility) return refused<Result>(refusal.slotNotFound);
    const timeType = await timeTypeOf(t, facility.hsaId, input.timeTypeId);
    if (!timeType) return refused<Result>(refusal.slotNotFound);
    let slot: Timeslot | undefined;
    if (input.slotId !== undefined) {
      slot = await t.getTimeslot(input.slotId);
      if (!slot || !sameId(slot.facility, facility.hsaId))
        return refused<Result>(refusal.slotNotFound);
      if (slot.start.utcMs < now) return refused<Result>(refusal.slotInPast);
    }
    const booking = await writeFirstVersion(
      t,
      emit,
      { origin: 'staff', atUtcMs: now },
      {
        id: input.id ?? this.#context.newId(),
        facility: facility.hsaId,
        subjectOfCare: input.subjectOfCare,
        patient: input.patient,
        isInvitation: true,
        ...(slot
          ? {
              slotId: slot.id,
              start: slot.start,
              end: slot.end,
              ...optional('performer', slot.performer),
              ...optional('resourceId', slot.resourceId),
            }
          : {}),
        timeTypeId: timeType.id,
        ...optional('careTypeId', slot?.careTypeId ?? input.careTypeId),
        purpose: purposeAsSent(input.purpose),
        ...optional('expiresOn', input.expiresOn),
      },
    );
    return done({ booking, created: true });
  }

  /**
   * Staff change an invitation (its text, type, slot or expiry). The scheduling
   * EI policy treats that as a new invitation (rivta-spec §3.3 "staff change an
   * invitation: delete + create"), so in one transaction the old one is
   * withdrawn and a new one, with a new id, is created; the answer is the new one.
   */
  async change(
    id: string,
    changes: Partial<Omit<NewInvitation, 'id' | 'facility' | 'subjectOfCare'>>,
  ): Promise<ChangeOutcome<Booking>> {
    const now = this.#context.now();
    const result = await runChange<Booking>(this.#context, async (tx, emit) => {
      const old = await tx.getBooking(id);
      if (!old || old.status !== 'active') return refused(refusal.bookingNotFound);
      if (!old.isInvitation) return refused(refusal.notAnOpenInvitation);
      await writeNextVersion(
        tx,
        emit,
        { kind: 'cancelled', before: old, origin: 'staff', atUtcMs: now },
        { status: 'cancelled' },
      );
      const slotId = 'slotId' in changes ? changes.slotId : old.slotId;
      const careTypeId = changes.careTypeId ?? old.careTypeId;
      const expiresOn = 'expiresOn' in changes ? changes.expiresOn : old.expiresOn;
      const created = await this.#createIn(
        tx,
        emit,
        {
          facility: old.facility,
          subjectOfCare: old.subjectOfCare,
          patient: changes.patient ?? old.patient,
          timeTypeId: changes.timeTypeId ?? old.timeTypeId,
          purpose: changes.purpose ?? old.purpose ?? '',
          ...optional('careTypeId', careTypeId),
          ...optional('slotId', slotId),
          ...optional('expiresOn', expiresOn),
        },
        now,
      );
      if (!created.ok) throw new RefusedChange(created.text);
      return done(created.value.booking);
    }).catch((err: unknown) => {
      // A refusal after the withdrawal must undo it: thrown to roll back, answered here.
      if (err instanceof RefusedChange) return refused<Booking>(err.text);
      throw err;
    });
    if ('taken' in result) return refused(refusal.slotTaken);
    return result;
  }
}
