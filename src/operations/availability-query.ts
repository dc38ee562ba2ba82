/** The request fields GetAvailableDates and GetAvailableTimeslots share, as a domain query. */
import type { RequestOf } from '../contracts/model.ts';
import type { GetAvailableDates } from '../contracts/scheduling.ts';
import type { AvailabilityQuery } from '../domain/scheduling-service.ts';
import { SoapFault } from '../soap/fault.ts';
import type { OperationContext } from './operation.ts';
import { isAgent } from './result.ts';

/**
 * Most calendar months one search may span, first and last month included:
 * MVK's dropdown offers 12 months ahead, so a search from this month's first
 * day to the end of the twelfth month after it spans 13 (issue 12 item 10);
 * one more for a start late in a month. Longer ones are a consumer mistake.
 */
export const MAX_RANGE_MONTHS = 14;

/** Calendar months from `startDt`'s month to `endDt`'s, both included. */
const monthsSpanned = (startDt: string, endDt: string) =>
  (+endDt.slice(0, 4) - +startDt.slice(0, 4)) * 12 +
  (+endDt.slice(4, 6) - +startDt.slice(4, 6)) +
  1;

export function availabilityQuery(
  req: RequestOf<typeof GetAvailableDates>,
  context: OperationContext,
): AvailabilityQuery {
  if (req.endDateInclusive < req.startDateInclusive)
    throw new SoapFault('Client', 'endDateInclusive is before startDateInclusive');
  if (monthsSpanned(req.startDateInclusive, req.endDateInclusive) > MAX_RANGE_MONTHS)
    throw new SoapFault(
      'Client',
      `the date range may span at most ${MAX_RANGE_MONTHS} calendar months`,
    );
  return {
    facility: req.healthcare_facility,
    startDt: req.startDateInclusive,
    endDt: req.endDateInclusive,
    performers: req.performer,
    subjectOfCare: req.subject_of_care,
    isAgent: isAgent(context.actor),
    ...(req.bookingId !== undefined ? { bookingId: req.bookingId } : {}),
    ...(req.timeTypeID !== undefined ? { timeTypeId: req.timeTypeID } : {}),
    ...(req.timeTypeName !== undefined ? { timeTypeName: req.timeTypeName } : {}),
    ...(req.careTypeID !== undefined ? { careTypeId: req.careTypeID } : {}),
    ...(req.careTypeName !== undefined ? { careTypeName: req.careTypeName } : {}),
  };
}
