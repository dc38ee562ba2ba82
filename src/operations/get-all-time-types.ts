import { GetAllTimeTypes } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { defineOperation, requestFacility } from './operation.ts';
import { isAgent } from './result.ts';

/** Time types bookable online; with careTypeIDs, only those serving one of them. */
export const getAllTimeTypes = (service: SchedulingService) =>
  defineOperation(GetAllTimeTypes, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      let timeTypes = await service.visibleTimeTypes(
        req.healthcare_facility,
        req.subject_of_care,
        isAgent(context.actor),
        context.calendar,
      );
      if (req.careTypeIDs.length > 0)
        timeTypes = timeTypes.filter((t) => t.careTypeIds.some((c) => req.careTypeIDs.includes(c)));
      return {
        ListOfTimeTypes: timeTypes.map((t) => ({ timeTypeName: t.name, timeTypeId: t.id })),
      };
    },
  });
