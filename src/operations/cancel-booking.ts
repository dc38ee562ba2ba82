import { CancelBooking } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { defineOperation, requestFacility } from './operation.ts';
import { actingPatient, resultOf } from './result.ts';

/** Frees the slot; the message is kept only where the time type allows one. */
export const cancelBooking = (service: SchedulingService) =>
  defineOperation(CancelBooking, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      const patient = actingPatient(context.actor);
      const outcome = await service.cancel({
        ...(patient !== undefined ? { subjectOfCare: patient } : {}),
        bookingId: req.bookingId,
        facility: req.healthcare_facility,
        origin: 'soap',
        ...(req.message !== undefined ? { message: req.message } : {}),
      });
      return resultOf(outcome);
    },
  });
