import { GetAllPerformers } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { freeSlotsAhead, visibleTimeTypes } from './bookable-ahead.ts';
import { defineOperation, requestFacility } from './operation.ts';

/**
 * Performers with free slots the patient can book online at the facility in
 * the coming months (issue 12 item 10: no one MVK could not book), narrowed
 * by the time type and care type filters. Written as `perfomer`, the
 * contract's own spelling (rivta-spec §2.3 item 2).
 */
export const getAllPerformers = (service: SchedulingService) =>
  defineOperation(GetAllPerformers, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      const visible = await visibleTimeTypes(service, req, context);
      const timeTypeIds = visible
        .map((t) => t.id)
        .filter((id) => req.timeTypeIDs.length === 0 || req.timeTypeIDs.includes(id));
      const slots = await freeSlotsAhead(service, req.healthcare_facility, timeTypeIds, {
        careTypeIds: req.careTypeIDs,
      });
      const offered = new Set(slots.map((s) => s.performer?.toLowerCase()));
      const performers = (await service.store.listPerformers(req.healthcare_facility)).filter((p) =>
        offered.has(p.hsaId.toLowerCase()),
      );
      return {
        performerInfos: performers.map((p) => ({
          perfomer: p.hsaId,
          firstName: p.firstName,
          lastName: p.lastName,
          title: p.title,
        })),
      };
    },
  });
