import { GetAllPerformers } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { freeSlotsAhead } from './bookable-ahead.ts';
import { defineOperation, requestFacility } from './operation.ts';
import { isAgent } from './result.ts';

/**
 * Performers of the facility; with time type or care type filters, those who
 * have free slots of that kind in the coming months. Written as `perfomer`,
 * the contract's own spelling (rivta-spec §2.3 item 2).
 */
export const getAllPerformers = (service: SchedulingService) =>
  defineOperation(GetAllPerformers, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      let performers = await service.store.listPerformers(req.healthcare_facility);
      if (req.timeTypeIDs.length > 0 || req.careTypeIDs.length > 0) {
        const visible = await service.visibleTimeTypes(
          req.healthcare_facility,
          req.subject_of_care,
          isAgent(context.actor),
        );
        const timeTypeIds = visible
          .map((t) => t.id)
          .filter((id) => req.timeTypeIDs.length === 0 || req.timeTypeIDs.includes(id));
        const slots = await freeSlotsAhead(service, req.healthcare_facility, timeTypeIds, {
          careTypeIds: req.careTypeIDs,
        });
        const offered = new Set(slots.map((s) => s.performer?.toLowerCase()));
        performers = performers.filter((p) => offered.has(p.hsaId.toLowerCase()));
      }
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
