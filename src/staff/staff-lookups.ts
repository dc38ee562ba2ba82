/** What the staff actions look up before they act: the slot a request names, the booking an id names. */
import type { SchedulingService } from '../domain/scheduling-service.ts';
import type { ChangeOutcome } from '../domain/refusals.ts';
import type { Booking, Timeslot } from '../domain/types.ts';
import { StaffActionError } from './staff-action-error.ts';
import type { SlotChoice } from './staff-inputs.ts';

/**
 * The timeslot a choice names: by id, or the one at the facility with that
 * start and end (of the time type and performer when given), a free one
 * first.
 */
export async function resolveSlot(
  service: SchedulingService,
  choice: SlotChoice,
  facility: string | undefined,
  timeTypeId?: string,
): Promise<Timeslot> {
  const store = service.store;
  if ('slotId' in choice) {
    const slot = await store.getTimeslot(choice.slotId);
    if (!slot) throw new StaffActionError('not-found', `no timeslot with id ${choice.slotId}`);
    return slot;
  }
  if (facility === undefined)
    throw new StaffActionError('invalid', 'facility is required with start and end');
  const lower = (s: string | undefined) => s?.toLowerCase();
  const candidates = (await store.findTimeslotsAt(facility, choice.start, choice.end)).filter(
    (s) =>
      (timeTypeId === undefined || s.timeTypeId === timeTypeId) &&
      (choice.performer === undefined || lower(s.performer) === lower(choice.performer)),
  );
  for (const slot of candidates) if (!(await store.findActiveBookingOnSlot(slot.id))) return slot;
  const first = candidates[0];
  if (first) return first; // taken: the service answers with its refusal
  throw new StaffActionError(
    'not-found',
    `no timeslot at ${facility} from ${choice.start} to ${choice.end}` +
      (timeTypeId !== undefined ? ` of time type ${timeTypeId}` : '') +
      (choice.performer !== undefined ? ` with performer ${choice.performer}` : ''),
  );
}

export async function findBooking(service: SchedulingService, id: string): Promise<Booking> {
  const booking = await service.store.getBooking(id);
  if (!booking) throw new StaffActionError('not-found', `no booking or invitation with id ${id}`);
  return booking;
}

/** The changed value, or the service's refusal (the Swedish text patients see) as a `refused` error. */
export function outcome<T>(result: ChangeOutcome<T>): { value: T; info?: string } {
  if (!result.ok) throw new StaffActionError('refused', result.text);
  return result.info !== undefined ? { value: result.value, info: result.info } : result;
}
