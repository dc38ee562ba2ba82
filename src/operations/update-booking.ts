import { UpdateBooking } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { SoapFault } from '../soap/fault.ts';
import { defineOperation } from './operation.ts';
import { patientDetails, requireTimeslotFields, soapChange } from './requested-timeslot.ts';
import { resultOf } from './result.ts';

/**
 * Moves the booking named by `requestedTimeslot.bookingId` to the free slot
 * at start/end (matched with performer, resource and time type). The answer
 * cannot carry a new id, so the booking keeps its own (rivta-spec §2.2b).
 */
export const updateBooking = (service: SchedulingService) =>
  defineOperation(UpdateBooking, {
    // A move to a partner unit may be addressed to either unit (issue 12 item 9): the guide
    // does not say which LogicalAddress MVK sends, and this producer serves both.
    async facilitiesOf(req) {
      const current = await service.store.getBooking(req.requestedTimeslot.bookingId ?? '');
      return [req.requestedTimeslot.healthcare_facility, ...(current ? [current.facility] : [])];
    },
    async handle(req, context) {
      const slot = requireTimeslotFields(req.requestedTimeslot, 'UpdateBooking', context.actor);
      if (slot.bookingId === undefined)
        throw new SoapFault(
          'Client',
          'invalid request: UpdateBooking/requestedTimeslot/bookingId is mandatory',
        );
      const outcome = await service.rebook({
        ...soapChange(slot, req.notification),
        bookingId: slot.bookingId,
        ...(req.subject_of_care_info ? { patient: patientDetails(req.subject_of_care_info) } : {}),
      });
      return resultOf(outcome);
    },
  });
