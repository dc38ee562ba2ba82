import { GetAllCareTypes } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { freeSlotsAhead, visibleTimeTypes } from './bookable-ahead.ts';
import { defineOperation, requestFacility } from './operation.ts';

/**
 * Care types of the facility. With timeTypeIDs, those the time types serve;
 * with performers, those bookable with them in the coming months.
 */
export const getAllCareTypes = (service: SchedulingService) =>
  defineOperation(GetAllCareTypes, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      let careTypes = await service.store.listCareTypes(req.healthcare_facility);
      const visible = await visibleTimeTypes(service, req, context);
      const timeTypes =
        req.timeTypeIDs.length > 0
          ? visible.filter((t) => req.timeTypeIDs.includes(t.id))
          : visible;
      if (req.timeTypeIDs.length > 0) {
        const served = new Set(timeTypes.flatMap((t) => t.careTypeIds));
        careTypes = careTypes.filter((c) => served.has(c.id));
      }
      if (req.performer.length > 0) {
        const slots = await freeSlotsAhead(
          service,
          req.healthcare_facility,
          timeTypes.map((t) => t.id),
          { performers: req.performer },
        );
        const offered = new Set(slots.map((s) => s.careTypeId));
        careTypes = careTypes.filter((c) => offered.has(c.id));
      }
      return { careTypes: careTypes.map((c) => ({ careTypeName: c.name, careTypeId: c.id })) };
    },
  });
