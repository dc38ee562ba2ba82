import { MakeBooking } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { SoapFault } from '../soap/fault.ts';
import { defineOperation } from './operation.ts';
import { patientDetails, requireTimeslotFields, soapChange } from './requested-timeslot.ts';
import { resultOf } from './result.ts';

/**
 * Claims the slot named by `requestedTimeslot.bookingId` (a free slot's id or
 * an open invitation's id). `bookingId` is in the answer iff the booking was
 * made (OK or INFO).
 */
export const makeBooking = (service: SchedulingService) =>
  defineOperation(MakeBooking, {
    facilitiesOf: (req) => [req.requestedTimeslot.healthcare_facility],
    async handle(req, context) {
      const slot = requireTimeslotFields(req.requestedTimeslot, 'MakeBooking', context.actor);
      if (req.healthcare_facility_med.trim() === '')
        throw new SoapFault(
          'Client',
          'invalid request: MakeBooking/healthcare_facility_med is empty',
        );
      const outcome = await service.makeBooking({
        ...soapChange(slot, req.notification),
        patient: patientDetails(req.subject_of_care_info),
        ...(slot.bookingId !== undefined ? { id: slot.bookingId } : {}),
      });
      return { bookingId: outcome.ok ? outcome.value.id : undefined, ...resultOf(outcome) };
    },
  });
