import { GetSubjectOfCareSchedule } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { defineOperation, requestFacility } from './operation.ts';
import { requireSamePatient } from './result.ts';
import { bookingDetail } from './timeslot-detail.ts';

/** Bookings and timed invitations only: an open invitation has no time to show (TKB-G). */
export const getSubjectOfCareSchedule = (service: SchedulingService) =>
  defineOperation(GetSubjectOfCareSchedule, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      requireSamePatient(context.actor, req.subject_of_care);
      const bookings = (
        await service.store.listActiveBookingsOfSubject(
          req.healthcare_facility,
          req.subject_of_care,
        )
      ).filter((b) => b.slotId !== undefined);
      const described = await service.describe(bookings, req.healthcare_facility);
      return { timeslotDetail: described.map((d) => bookingDetail(d, context.nowUtcMs)) };
    },
  });
