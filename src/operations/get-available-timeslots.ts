import { GetAvailableTimeslots } from '../contracts/scheduling.ts';
import type { ResponseOf } from '../contracts/model.ts';
import type { Availability, SchedulingService } from '../domain/scheduling-service.ts';
import { availabilityQuery } from './availability-query.ts';
import { defineOperation, requestFacility } from './operation.ts';
import { freeSlotDetail } from './timeslot-detail.ts';

type Answer = ResponseOf<typeof GetAvailableTimeslots>;

export const getAvailableTimeslots = (service: SchedulingService) => {
  // A reused availability answer gets the same response object, so the binding's
  // encoding memo can skip writing the XML again.
  const answers = new WeakMap<Availability, Answer>();
  return defineOperation(GetAvailableTimeslots, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      const availability = await service.findAvailability(availabilityQuery(req, context));
      let answer = answers.get(availability);
      if (!answer) {
        const { slots, timeTypes, rebookingId } = availability;
        answer = {
          timeslotDetail: slots.map((s) =>
            freeSlotDetail(s, timeTypes.get(s.timeTypeId), rebookingId),
          ),
        };
        answers.set(availability, answer);
      }
      return answer;
    },
  });
};
