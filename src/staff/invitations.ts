/**
 * Invitations (kallelser) staff create, change and withdraw, through the
 * same rules and outbox as the SOAP operations. Used alike by the admin API,
 * the CLI and the console.
 *
 * @module
 */
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { bookingView, type BookingView } from './booking-view.ts';
import { StaffActionError } from './staff-action-error.ts';
import { cancelOrWithdraw } from './staff-booking.ts';
import {
  slotChoice,
  type CancelInput,
  type ChangeInvitationInput,
  type CreateInvitationInput,
} from './staff-inputs.ts';
import { findBooking, outcome, resolveSlot } from './staff-lookups.ts';

/** Creates an invitation: open, or timed on a slot. */
export async function createInvitation(
  service: SchedulingService,
  input: CreateInvitationInput,
): Promise<BookingView> {
  const { facility, timeTypeId, id } = input;
  const choice = slotChoice(input);
  const slot = choice ? await resolveSlot(service, choice, facility, timeTypeId) : undefined;
  if (slot && facility.toLowerCase() !== slot.facility.toLowerCase())
    throw new StaffActionError('invalid', `timeslot ${slot.id} is not at facility ${facility}`);
  if (slot && timeTypeId !== undefined && slot.timeTypeId !== timeTypeId)
    throw new StaffActionError(
      'invalid',
      `timeslot ${slot.id} is of time type ${slot.timeTypeId}, not ${timeTypeId}`,
    );
  const typeId = slot?.timeTypeId ?? timeTypeId;
  if (typeId === undefined)
    throw new StaffActionError('invalid', 'timeTypeId is required for an open invitation');
  if (!(await service.store.getFacility(facility)))
    throw new StaffActionError('not-found', `no facility with HSA-id ${facility}`);
  if (!(await service.store.listTimeTypes(facility)).some((t) => t.id === typeId))
    throw new StaffActionError('not-found', `facility ${facility} has no time type ${typeId}`);
  if (id !== undefined && (await service.store.getBooking(id)))
    throw new StaffActionError('refused', `a booking or invitation with id ${id} already exists`);

  const { value } = outcome(
    await service.createInvitation({
      ...(id !== undefined ? { id } : {}),
      facility,
      subjectOfCare: input.subjectOfCare,
      patient: input.patient,
      timeTypeId: typeId,
      ...(input.careTypeId !== undefined ? { careTypeId: input.careTypeId } : {}),
      purpose: input.purpose,
      ...(slot ? { slotId: slot.id } : {}),
      ...(input.expiresOn !== undefined ? { expiresOn: input.expiresOn } : {}),
    }),
  );
  return bookingView(value.booking);
}

/** Withdraws an invitation, open or timed, freeing its slot. */
export function withdrawInvitation(
  service: SchedulingService,
  invitationId: string,
  input: CancelInput,
): Promise<BookingView> {
  return cancelOrWithdraw(service, invitationId, input, 'invitation');
}

/**
 * Changes an invitation: its text, time type, care type, slot or expiry. The
 * EI policy treats a changed invitation as a new one, so the answer is a new
 * invitation with a new id and the old one is withdrawn (EI: delete + create).
 */
export async function changeInvitation(
  service: SchedulingService,
  invitationId: string,
  input: ChangeInvitationInput,
): Promise<BookingView> {
  const invitation = await findBooking(service, invitationId);
  if (!invitation.isInvitation)
    throw new StaffActionError('refused', `${invitationId} is a booking, not an invitation`);
  const { value } = outcome(await service.changeInvitation(invitationId, input));
  return bookingView(value);
}
