import { GetBookingDetails } from '../contracts/scheduling.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { SoapFault } from '../soap/fault.ts';
import { defineOperation, requestFacility } from './operation.ts';
import { actingPatient } from './result.ts';
import { bookingDetail } from './timeslot-detail.ts';

/**
 * Exactly one timeslotDetail (1..1 in the XSD), so an unknown id can only be a
 * fault. 1177 expects facility and bookingId to echo the request (rivta-spec §2.2).
 */
export const getBookingDetails = (service: SchedulingService) =>
  defineOperation(GetBookingDetails, {
    facilitiesOf: requestFacility,
    async handle(req, context) {
      const booking = await context.calendar.getBooking(req.bookingId);
      const patient = actingPatient(context.actor);
      // Someone else's booking is answered exactly like a missing one: its existence is not told.
      if (
        !booking ||
        booking.status !== 'active' ||
        (patient !== undefined && patient !== booking.subjectOfCare) ||
        booking.facility.toLowerCase() !== req.healthcare_facility.toLowerCase()
      )
        throw new SoapFault(
          'Client',
          `no booking with bookingId '${req.bookingId}' at healthcare_facility '${req.healthcare_facility}'`,
        );
      const [described] = await service.describe([booking], booking.facility, context.calendar);
      return {
        timeslotDetail: {
          ...bookingDetail(described!, context.nowUtcMs, req.healthcare_facility),
          bookingId: req.bookingId,
        },
      };
    },
  });
