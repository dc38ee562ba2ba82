import { GetAllTimeTypes } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { visibleTimeTypes } from './bookable-ahead.ts';
import { defineOperation, requestFacility } from './operation.ts';

/** Time types bookable online; with careTypeIDs, only those serving one of them. */
export const getAllTimeTypes = (service: SchedulingService) =>
  defineOperation(GetAllTimeTypes, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      let timeTypes = await visibleTimeTypes(service, req, context);
      if (req.careTypeIDs.length > 0)
        timeTypes = timeTypes.filter((t) => t.careTypeIds.some((c) => req.careTypeIDs.includes(c)));
      return {
        ListOfTimeTypes: timeTypes.map((t) => ({ timeTypeName: t.name, timeTypeId: t.id })),
      };
    },
  });
