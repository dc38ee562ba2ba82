/** The request fields GetAvailableDates and GetAvailableTimeslots share, as a domain query. */
import type { RequestOf } from '../contracts/model.ts';
import type { GetAvailableDates } from '../contracts/scheduling.ts';
import type { AvailabilityQuery } from '../domain/scheduling-service.ts';
import { SoapFault } from '../soap/fault.ts';
import type { OperationContext } from './operation.ts';
import { isAgent } from './result.ts';

/** Longest date range one search may span; longer ones are a consumer mistake, not a query to run. */
export const MAX_RANGE_DAYS = 366;

export function availabilityQuery(
  req: RequestOf<typeof GetAvailableDates>,
  context: OperationContext,
): AvailabilityQuery {
  if (req.endDateInclusive < req.startDateInclusive)
    throw new SoapFault('Client', 'endDateInclusive is before startDateInclusive');
  const days =
    (Date.UTC(
      +req.endDateInclusive.slice(0, 4),
      +req.endDateInclusive.slice(4, 6) - 1,
      +req.endDateInclusive.slice(6, 8),
    ) -
      Date.UTC(
        +req.startDateInclusive.slice(0, 4),
        +req.startDateInclusive.slice(4, 6) - 1,
        +req.startDateInclusive.slice(6, 8),
      )) /
    86_400_000;
  if (days > MAX_RANGE_DAYS)
    throw new SoapFault('Client', `the date range may span at most ${MAX_RANGE_DAYS} days`);
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
