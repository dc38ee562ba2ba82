/** Finding the slot a booking request names by its times and criteria. */
import type { CalendarReader } from '../store/calendar-store.ts';
import { sameId } from './optional-field.ts';
import type { Timeslot } from './types.ts';

/** What a request may say about the slot besides its times. */
export interface SlotCriteria {
  readonly performer?: string;
  readonly resourceId?: string;
  readonly timeTypeId?: string;
  readonly careTypeId?: string;
}

/** A slot at the facility that matches start, end and the criteria, preferring a free one. */
export async function findSlot(
  reader: CalendarReader,
  facility: string,
  startTs: string,
  endTs: string,
  criteria: SlotCriteria,
): Promise<Timeslot | undefined> {
  const candidates = (await reader.findTimeslotsAt(facility, startTs, endTs)).filter(
    (s) =>
      (criteria.performer === undefined || sameId(s.performer, criteria.performer)) &&
      (criteria.resourceId === undefined || s.resourceId === criteria.resourceId) &&
      (criteria.timeTypeId === undefined || s.timeTypeId === criteria.timeTypeId) &&
      (criteria.careTypeId === undefined ||
        s.careTypeId === undefined ||
        s.careTypeId === criteria.careTypeId),
  );
  for (const slot of candidates) if (!(await reader.findActiveBookingOnSlot(slot.id))) return slot;
  return candidates[0];
}
