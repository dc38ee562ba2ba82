/**
 * Builds `TimeslotType` values (timeslotDetail) from bookings and free slots.
 * Booleans the TKB calls mandatory for GetBookingDetails are always written;
 * everything else is left out when absent (TKB scheduling §3.7).
 */
import type { Encodable } from '../contracts/model.ts';
import type { TimeslotType } from '../contracts/scheduling.ts';
import type { DescribedBooking } from '../domain/reference-data.ts';
import type { FreeTimeslot, TimeType } from '../domain/types.ts';

export type TimeslotDetail = Encodable<typeof TimeslotType>;

function flags(timeType: TimeType | undefined) {
  return {
    cancel_booking_allowed: timeType?.cancelAllowed ?? false,
    rebooking_allowed: timeType?.rebookAllowed ?? false,
    message_allowed: timeType?.messageAllowed ?? false,
  };
}

/** A booking or invitation as GetBookingDetails and GetSubjectOfCareSchedule show it. */
export function bookingDetail(d: DescribedBooking, facilityAsAsked?: string): TimeslotDetail {
  const b = d.booking;
  return {
    startTimeInclusive: b.start?.ts,
    endTimeExclusive: b.end?.ts,
    healthcare_facility: facilityAsAsked ?? b.facility,
    performer: b.performer,
    bookingId: b.id,
    subject_of_care: b.subjectOfCare,
    purpose: b.purpose,
    reason: b.reason,
    resourceName: d.resourceName,
    healthcare_facility_name: d.facilityName,
    performerName: d.performerName,
    resourceID: b.resourceId,
    timeTypeName: d.timeType?.name,
    timeTypeID: b.timeTypeId,
    careTypeName: d.careTypeName,
    careTypeID: b.careTypeId,
    ...flags(d.timeType),
    isInvitation: b.isInvitation ? true : undefined,
  };
}

/** A free slot as GetAvailableTimeslots shows it; `bookingId` is the slot id or, when rebooking, the booking's. */
export function freeSlotDetail(
  slot: FreeTimeslot,
  timeType: TimeType | undefined,
  rebookingId: string | undefined,
): TimeslotDetail {
  return {
    startTimeInclusive: slot.start.ts,
    endTimeExclusive: slot.end.ts,
    healthcare_facility: slot.facility,
    performer: slot.performer,
    bookingId: rebookingId ?? slot.id,
    resourceName: slot.resourceName,
    healthcare_facility_name: slot.facilityName,
    performerName: slot.performerName,
    resourceID: slot.resourceId,
    timeTypeName: slot.timeTypeName,
    timeTypeID: slot.timeTypeId,
    careTypeName: slot.careTypeName,
    careTypeID: slot.careTypeId,
    ...flags(timeType),
  };
}
