/**
 * What the caller can actually book: the time types visible to them, and the
 * performers and care types read from the free slots of the coming months,
 * the same source the availability answers use.
 */
import type { SchedulingService } from '../domain/scheduling-service.ts';
import type { FreeTimeslot, TimeType } from '../domain/types.ts';
import type { OperationContext } from './operation.ts';
import { isAgent } from './result.ts';

/** How far ahead GetAllPerformers / GetAllCareTypes look when asked to filter. */
export const LOOKAHEAD_DAYS = 180;

export async function freeSlotsAhead(
  service: SchedulingService,
  facility: string,
  timeTypeIds: readonly string[],
  filter: { performers?: readonly string[]; careTypeIds?: readonly string[] },
): Promise<FreeTimeslot[]> {
  if (timeTypeIds.length === 0) return [];
  const now = service.now();
  const slots = await service.store.findFreeTimeslots({
    facilities: [facility],
    fromUtcMs: now,
    toUtcMs: now + LOOKAHEAD_DAYS * 86_400_000,
    timeTypeIds,
    ...(filter.performers && filter.performers.length > 0 ? { performers: filter.performers } : {}),
  });
  const careTypeIds = filter.careTypeIds ?? [];
  return careTypeIds.length > 0
    ? slots.filter((s) => s.careTypeId !== undefined && careTypeIds.includes(s.careTypeId))
    : slots;
}

/**
 * The time types the caller may book online at the request's facility: the
 * patient's own view, or an agent's (GetAllTimeTypes, GetAllCareTypes and
 * GetAllPerformers all start from it).
 */
export function visibleTimeTypes(
  service: SchedulingService,
  req: { readonly healthcare_facility: string; readonly subject_of_care: string },
  context: OperationContext,
): Promise<TimeType[]> {
  return service.visibleTimeTypes(
    req.healthcare_facility,
    req.subject_of_care,
    isAgent(context.actor),
  );
}
