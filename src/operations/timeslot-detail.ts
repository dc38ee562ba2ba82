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

/**
 * A booking or invitation as GetBookingDetails and GetSubjectOfCareSchedule
 * show it. The flags describe this booking (issue 12 item 3): one whose start
 * has passed, or an open invitation (staff withdraw those, the patient books
 * them), can be neither cancelled nor rebooked online. Without a purpose of
 * its own it carries its time type's patient information (issue 12 item 4).
 */
export function bookingDetail(
  d: DescribedBooking,
  nowUtcMs: number,
  facilityAsAsked?: string,
): TimeslotDetail {
  const b = d.booking;
  const isOpenInvitation = b.isInvitation && b.slotId === undefined;
  const hasStarted = b.start !== undefined && b.start.utcMs < nowUtcMs;
  const changeable = !isOpenInvitation && !hasStarted;
  const timeType = d.timeType;
  // The flags are written out, not spread from a helper: a schedule builds a
  // thousand of these per request, and a spread copies property by property.
  return {
    startTimeInclusive: b.start?.ts,
    endTimeExclusive: b.end?.ts,
    healthcare_facility: facilityAsAsked ?? b.facility,
    performer: b.performer,
    bookingId: b.id,
    subject_of_care: b.subjectOfCare,
    purpose: b.purpose ?? d.timeType?.bookingInfo,
    reason: b.reason,
    resourceName: d.resourceName,
    healthcare_facility_name: d.facilityName,
    performerName: d.performerName,
    resourceID: b.resourceId,
    timeTypeName: d.timeType?.name,
    timeTypeID: b.timeTypeId,
    careTypeName: d.careTypeName,
    careTypeID: b.careTypeId,
    cancel_booking_allowed: changeable && (timeType?.cancelAllowed ?? false),
    rebooking_allowed: changeable && (timeType?.rebookAllowed ?? false),
    message_allowed: timeType?.messageAllowed ?? false,
    isInvitation: b.isInvitation ? true : undefined,
  };
}

/**
 * A free slot as GetAvailableTimeslots shows it; `bookingId` is the slot id or,
 * when rebooking, the booking's. It echoes the request's `subject_of_care`
 * (the guide marks it mandatory) and carries the time type's patient
 * information as `purpose`, which MVK shows as "Ytterligare information".
 */
export function freeSlotDetail(
  slot: FreeTimeslot,
  timeType: TimeType | undefined,
  rebookingId: string | undefined,
  subjectOfCare: string,
): TimeslotDetail {
  return {
    startTimeInclusive: slot.start.ts,
    endTimeExclusive: slot.end.ts,
    healthcare_facility: slot.facility,
    performer: slot.performer,
    bookingId: rebookingId ?? slot.id,
    subject_of_care: subjectOfCare,
    purpose: timeType?.bookingInfo,
    resourceName: slot.resourceName,
    healthcare_facility_name: slot.facilityName,
    performerName: slot.performerName,
    resourceID: slot.resourceId,
    timeTypeName: slot.timeTypeName,
    timeTypeID: slot.timeTypeId,
    careTypeName: slot.careTypeName,
    careTypeID: slot.careTypeId,
    cancel_booking_allowed: timeType?.cancelAllowed ?? false,
    rebooking_allowed: timeType?.rebookAllowed ?? false,
    message_allowed: timeType?.messageAllowed ?? false,
  };
}
