import { GetAvailableDates } from '../contracts/scheduling.ts';
import type { Encodable } from '../contracts/model.ts';
import type { PerformerAvailabilityByDateType } from '../contracts/scheduling.ts';
import { MAX_TIMESLOTS_FOR_DATES, type SchedulingService } from '../domain/scheduling-service.ts';
import { availabilityQuery } from './availability-query.ts';
import { defineOperation, requestFacility } from './operation.ts';

type Entry = Encodable<typeof PerformerAvailabilityByDateType>;

/**
 * One entry per date and distinct (performer, resource, time type, care type)
 * among the free slots, computed from the very slots GetAvailableTimeslots
 * would return, so the two always agree.
 */
export const getAvailableDates = (service: SchedulingService) =>
  defineOperation(GetAvailableDates, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      const { slots } = await service.findAvailability(
        { ...availabilityQuery(req, context), limit: MAX_TIMESLOTS_FOR_DATES },
        context.calendar,
      );
      const entries = new Map<string, Entry>();
      for (const s of slots) {
        const date = s.start.ts.slice(0, 8);
        const key = [date, s.performer, s.resourceId, s.timeTypeId, s.careTypeId].join('\u0000');
        if (entries.has(key)) continue;
        entries.set(key, {
          healthcare_facility: s.facility,
          performer: s.performer,
          date,
          resourceName: s.resourceName,
          resourceID: s.resourceId,
          timeTypeName: s.timeTypeName,
          timeTypeID: s.timeTypeId,
          careTypeName: s.careTypeName,
          careTypeID: s.careTypeId,
        });
      }
      return { performerAvailabilityByDate: entries.values() };
    },
  });
