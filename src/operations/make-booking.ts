import { MakeBooking } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { SoapFault } from '../soap/fault.ts';
import { defineOperation } from './operation.ts';
import { patientDetails, requireTimeslotFields } from './requested-timeslot.ts';
import { requireSamePatient, resultOf } from './result.ts';

/**
 * Claims the slot named by `requestedTimeslot.bookingId` (a free slot's id or
 * an open invitation's id). `bookingId` is in the answer iff the booking was
 * made (OK or INFO).
 */
export const makeBooking = (service: SchedulingService) =>
  defineOperation(MakeBooking, {
    facilitiesOf: (req) => [req.requestedTimeslot.healthcare_facility],
    async handle(req, context) {
      const slot = requireTimeslotFields(req.requestedTimeslot, 'MakeBooking');
      requireSamePatient(context.actor, slot.subjectOfCare);
      if (req.healthcare_facility_med.trim() === '')
        throw new SoapFault(
          'Client',
          'invalid request: MakeBooking/healthcare_facility_med is empty',
        );
      const outcome = await service.makeBooking({
        facility: slot.healthcare_facility,
        startTs: slot.start,
        endTs: slot.end,
        subjectOfCare: slot.subjectOfCare,
        patient: patientDetails(req.subject_of_care_info),
        origin: 'soap',
        ...(slot.bookingId !== undefined ? { id: slot.bookingId } : {}),
        ...slot.criteria,
        ...(slot.reason !== undefined ? { reason: slot.reason } : {}),
        ...(req.notification !== undefined ? { notification: req.notification } : {}),
      });
      return { bookingId: outcome.ok ? outcome.value.id : undefined, ...resultOf(outcome) };
    },
  });
