import { GetAllHealthcareFacilities } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import type { Facility } from '../domain/types.ts';
import { defineOperation, requestFacility } from './operation.ts';

/**
 * Without bookingId: this facility (when it offers online booking) and its
 * partners. With one: where that booking may be moved; an unknown bookingId
 * gives an empty list, as the WSDL says.
 */
export const getAllHealthcareFacilities = (service: SchedulingService) =>
  defineOperation(GetAllHealthcareFacilities, {
    facilitiesOf: requestFacility,
    async handle(req, { calendar }) {
      let facilities: Facility[] = [];
      if (req.bookingId !== undefined) {
        const booking = await calendar.getBooking(req.bookingId);
        if (booking && booking.status === 'active' && booking.subjectOfCare === req.subject_of_care)
          facilities = await service.facilitiesFor(booking, calendar);
      } else {
        const facility = await calendar.getFacility(req.healthcare_facility);
        if (facility) facilities = await service.facilitiesFrom(facility, calendar);
      }
      return {
        healthcareFacilityInfos: facilities.map((f) => ({
          healthcare_facility: f.hsaId,
          healthcare_facility_name: f.name,
        })),
      };
    },
  });
