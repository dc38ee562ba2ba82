/**
 * The simplest way to create an imported invitation: store it as a booking
 * and nothing more. It appends no outbox messages, so the engagement index
 * does not hear of it; the domain's booking service, which does, is meant to
 * take its place as {@link ImportHooks.createInvitation}.
 *
 * @module
 */
import { purposeAsSent } from '../domain/invitation-text.ts';
import type { Booking } from '../domain/types.ts';
import type { StoreTx } from '../store/calendar-store.ts';
import type { ExpandedInvitation } from './expand-calendar.ts';
import type { ImportHooks } from './import-calendar.ts';

/** The active invitation booking an imported invitation becomes, created at `atUtcMs`. */
export function invitationToBooking(invitation: ExpandedInvitation, atUtcMs: number): Booking {
  const { patient, slotId, start, end, careTypeId, performer, resourceId, expiresOn } = invitation;
  return {
    id: invitation.id,
    facility: invitation.facility,
    subjectOfCare: invitation.subjectOfCare,
    patient,
    isInvitation: true,
    ...(slotId !== undefined ? { slotId } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    timeTypeId: invitation.timeTypeId,
    ...(careTypeId !== undefined ? { careTypeId } : {}),
    ...(performer !== undefined ? { performer } : {}),
    ...(resourceId !== undefined ? { resourceId } : {}),
    purpose: purposeAsSent(invitation.purpose),
    ...(expiresOn !== undefined ? { expiresOn } : {}),
    status: 'active',
    createdAt: atUtcMs,
    updatedAt: atUtcMs,
    version: 1,
  };
}

/**
 * A `createInvitation` hook that inserts the invitation with
 * `tx.insertBooking` unless a booking with its id exists, and appends no
 * outbox messages.
 */
export function insertInvitationOnly(
  now: () => number = Date.now,
): ImportHooks['createInvitation'] {
  return async (tx: StoreTx, invitation: ExpandedInvitation) => {
    if (await tx.getBooking(invitation.id)) return false;
    await tx.insertBooking(invitationToBooking(invitation, now()));
    return true;
  };
}
