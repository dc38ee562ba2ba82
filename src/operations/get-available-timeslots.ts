import { GetAvailableTimeslots } from '../contracts/scheduling.ts';
import type { ResponseOf } from '../contracts/model.ts';
import type { Availability, SchedulingService } from '../domain/scheduling-service.ts';
import { availabilityQuery } from './availability-query.ts';
import { defineOperation, requestFacility } from './operation.ts';
import { freeSlotDetail } from './timeslot-detail.ts';

type Answer = ResponseOf<typeof GetAvailableTimeslots>;

export const getAvailableTimeslots = (service: SchedulingService) => {
  // A reused availability answer gets the same response object for the same patient (the
  // answer echoes subject_of_care), so the binding's encoding memo can skip writing the XML
  // again. The answers live as long as their availability answer is cached.
  const answers = new WeakMap<Availability, Map<string, Answer>>();
  return defineOperation(GetAvailableTimeslots, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      const availability = await service.findAvailability(
        availabilityQuery(req, context),
        context.calendar,
      );
      let perPatient = answers.get(availability);
      if (!perPatient) answers.set(availability, (perPatient = new Map()));
      let answer = perPatient.get(req.subject_of_care);
      if (!answer) {
        const { slots, timeTypes, rebookingId } = availability;
        answer = {
          timeslotDetail: slots.map((s) =>
            freeSlotDetail(s, timeTypes.get(s.timeTypeId), rebookingId, req.subject_of_care),
          ),
        };
        perPatient.set(req.subject_of_care, answer);
      }
      return answer;
    },
  });
};
