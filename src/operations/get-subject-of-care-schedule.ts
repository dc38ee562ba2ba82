import { GetSubjectOfCareSchedule } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { defineOperation, requestFacility } from './operation.ts';
import { requireSamePatient } from './result.ts';
import { bookingDetail } from './timeslot-detail.ts';

/**
 * Bookings and timed invitations only: an open invitation has no time to show
 * (TKB-G). Read with only the columns the answer shows, the names from the
 * store's reference cache.
 */
export const getSubjectOfCareSchedule = (service: SchedulingService) =>
  defineOperation(GetSubjectOfCareSchedule, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      requireSamePatient(context.actor, req.subject_of_care);
      const bookings = await context.calendar.listScheduleOfSubject(
        req.healthcare_facility,
        req.subject_of_care,
      );
      const described = await service.describe(bookings, req.healthcare_facility, context.calendar);
      return { timeslotDetail: described.map((d) => bookingDetail(d, context.nowUtcMs)) };
    },
  });
