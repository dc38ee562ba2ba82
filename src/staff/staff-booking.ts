/**
 * Bookings staff make, move, cancel and look at on a patient's behalf. Each
 * change calls the same SchedulingService methods as the SOAP operations
 * (origin `staff`), so it runs the same rules in one transaction with its
 * outbox messages (rivta-spec §3.1 item 1, must-have 21). Used alike by the
 * admin API, the CLI and the console.
 *
 * @module
 */
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { bookingView, type BookingView } from './booking-view.ts';
import { StaffActionError } from './staff-action-error.ts';
import {
  slotChoice,
  type BookForPatientInput,
  type CancelInput,
  type RebookInput,
  type SlotChoice,
} from './staff-inputs.ts';
import { findBooking, outcome, resolveSlot } from './staff-lookups.ts';

const performerOf = (choice: SlotChoice) =>
  'performer' in choice && choice.performer !== undefined ? { performer: choice.performer } : {};

/**
 * Books a slot for a patient (staff may book times not bookable online), or
 * books an open invitation on the patient's behalf (`invitationId`).
 */
export async function bookForPatient(
  service: SchedulingService,
  input: BookForPatientInput,
): Promise<BookingView> {
  const invitation =
    input.invitationId !== undefined ? await findBooking(service, input.invitationId) : undefined;
  const facility = input.facility ?? invitation?.facility;
  const choice = requiredSlot(input);
  const slot = await resolveSlot(service, choice, facility, invitation?.timeTypeId);
  const subjectOfCare = invitation?.subjectOfCare ?? input.subjectOfCare;
  const patient = input.patient ?? invitation?.patient;
  if (subjectOfCare === undefined || patient === undefined)
    throw new StaffActionError('invalid', 'subjectOfCare and patient are required');
  const { value, info } = outcome(
    await service.makeBooking({
      facility: facility ?? slot.facility,
      id: invitation ? invitation.id : slot.id,
      startTs: slot.start.ts,
      endTs: slot.end.ts,
      ...performerOf(choice),
      subjectOfCare,
      patient,
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.notification !== undefined ? { notification: input.notification } : {}),
      origin: 'staff',
    }),
  );
  return bookingView(value, info);
}

/**
 * Moves a booking or timed invitation to another slot (staff may move one
 * whose time type does not allow rebooking online).
 */
export async function rebookForPatient(
  service: SchedulingService,
  bookingId: string,
  input: RebookInput,
): Promise<BookingView> {
  const choice = requiredSlot(input);
  const booking = await findBooking(service, bookingId);
  const slot = await resolveSlot(
    service,
    choice,
    input.facility ?? booking.facility,
    booking.timeTypeId,
  );
  const { value, info } = outcome(
    await service.rebook({
      bookingId,
      facility: input.facility ?? slot.facility,
      startTs: slot.start.ts,
      endTs: slot.end.ts,
      ...performerOf(choice),
      ...(input.notification !== undefined ? { notification: input.notification } : {}),
      origin: 'staff',
    }),
  );
  return bookingView(value, info);
}

/** Cancels a booking (staff may cancel one the patient may not). */
export function cancelForPatient(
  service: SchedulingService,
  bookingId: string,
  input: CancelInput,
): Promise<BookingView> {
  return cancelOrWithdraw(service, bookingId, input, 'booking');
}

/** One booking or invitation, as staff see it. */
export async function showBooking(service: SchedulingService, id: string): Promise<BookingView> {
  return bookingView(await findBooking(service, id));
}

/** Cancels a booking or withdraws an invitation, refusing the one that is not what the caller expects. */
export async function cancelOrWithdraw(
  service: SchedulingService,
  id: string,
  input: CancelInput,
  expected: 'booking' | 'invitation',
): Promise<BookingView> {
  const booking = await findBooking(service, id);
  if (expected === 'booking' && booking.isInvitation)
    throw new StaffActionError(
      'refused',
      `${id} is an invitation that has not been booked; withdraw it instead`,
    );
  if (expected === 'invitation' && !booking.isInvitation)
    throw new StaffActionError(
      'refused',
      `${id} is a booking, not an invitation; cancel it instead`,
    );
  const { value, info } = outcome(
    await service.cancel({
      bookingId: id,
      facility: booking.facility,
      ...(input.message !== undefined ? { message: input.message } : {}),
      origin: 'staff',
    }),
  );
  // The cancellation text is for a patient who cancels (staff pass it on when
  // the patient calls in); a withdrawn invitation was the clinic's own doing.
  return bookingView(value, expected === 'booking' ? info : undefined);
}

/** The slot an input names; its schema already made sure it names one. */
function requiredSlot(input: Parameters<typeof slotChoice>[0]): SlotChoice {
  const choice = slotChoice(input);
  if (!choice)
    throw new StaffActionError('invalid', 'give slotId, or start and end (yyyyMMddHHmmss)');
  return choice;
}
