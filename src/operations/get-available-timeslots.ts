import { GetAvailableTimeslots } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { availabilityQuery } from './availability-query.ts';
import { defineOperation } from './operation.ts';
import { freeSlotDetail } from './timeslot-detail.ts';

export const getAvailableTimeslots = (service: SchedulingService) =>
  defineOperation({
    interaction: GetAvailableTimeslots,
    addressing: 'facility',
    facilityOf: (req) => req.healthcare_facility,
    async handle(req, context) {
      const { slots, timeTypes, rebookingId } = await service.findAvailability(
        availabilityQuery(req, context),
      );
      return {
        timeslotDetail: slots.map((s) =>
          freeSlotDetail(s, timeTypes.get(s.timeTypeId), rebookingId),
        ),
      };
    },
  });
