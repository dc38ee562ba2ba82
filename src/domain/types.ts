/**
 * The calendar as the domain sees it. Plain data, no I/O. Names follow the
 * RIV-TA terms (facility = healthcare_facility, subjectOfCare, bookingId).
 */

/** A local time as the contracts write it, with the instant it means. */
export interface LocalTime {
  /** `yyyyMMddHHmmss`, Europe/Stockholm. */
  readonly ts: string;
  /** UTC milliseconds; disambiguates the repeated autumn hour. */
  readonly utcMs: number;
}

/** A unit's postal address (Kivra letters show it). */
export interface PostalAddress {
  readonly street: string;
  readonly postalCode: string;
  readonly city: string;
}

export interface Facility {
  /** HSA-id as served (and as sent to EI); looked up case-insensitively. */
  readonly hsaId: string;
  readonly name: string;
  /** Where patients go; optional. */
  readonly postalAddress?: PostalAddress;
  /** Only facilities enabled for web booking are reported to EI (policy §3.1 item 2). */
  readonly webBookingEnabled: boolean;
  /**
   * Other facilities a booking made here may be moved to or made at
   * (GetAllHealthcareFacilities). The facility itself is always included
   * when it offers time types.
   */
  readonly partnerFacilities: readonly string[];
}

export interface Performer {
  readonly hsaId: string;
  readonly facility: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly title?: string;
}

export interface CareType {
  readonly facility: string;
  readonly id: string;
  readonly name: string;
}

export interface Resource {
  readonly facility: string;
  readonly id: string;
  readonly name: string;
}

/**
 * Who may see a time type: everyone, or only patients who already have (or
 * had) a booking at the facility. A search made by an agent (Actor
 * `subject_of_care_agent`) must not depend on the patient, so it sees only
 * `everyone` time types (TKB-F §5.6).
 */
export type TimeTypeAudience = 'everyone' | 'returning-patients';

export interface TimeType {
  readonly facility: string;
  readonly id: string;
  readonly name: string;
  /** Care types this time type serves; empty means not tied to one. */
  readonly careTypeIds: readonly string[];
  readonly cancelAllowed: boolean;
  readonly rebookAllowed: boolean;
  readonly messageAllowed: boolean;
  /** Shown to patients online at all (GetAllTimeTypes, free slots). */
  readonly webBookable: boolean;
  readonly audience: TimeTypeAudience;
  /** Text the patient must see after booking (returned with resultCode INFO), e.g. "kom fastande". */
  readonly bookingInfo?: string;
  /**
   * Text the patient must see after cancelling (CancelBooking then answers
   * INFO), e.g. "Avbokning senare än 24 timmar före besöket debiteras".
   */
  readonly cancelInfo?: string;
}

export interface Timeslot {
  /** Stable id; the `bookingId` of a free slot in GetAvailableTimeslots. */
  readonly id: string;
  readonly facility: string;
  readonly start: LocalTime;
  readonly end: LocalTime;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  readonly performer?: string;
  readonly resourceId?: string;
}

/** A free timeslot with the names the contracts show next to the ids. */
export interface FreeTimeslot extends Timeslot {
  readonly facilityName: string;
  readonly timeTypeName: string;
  readonly careTypeName?: string;
  readonly performerName?: string;
  readonly resourceName?: string;
}

/**
 * A national identifier of a patient besides the personnummer (a Dutch BSN,
 * say), as FHIR writes it: recorded by staff for portals that match by it.
 */
export interface PatientIdentifier {
  /** The identifier system, e.g. `http://fhir.nl/fhir/NamingSystem/bsn`. */
  readonly system: string;
  readonly value: string;
}

export interface PatientDetails {
  readonly firstName: string;
  readonly middleName?: string;
  readonly lastName: string;
  readonly phone?: string;
  readonly email?: string;
  readonly address?: string;
  readonly coaddress?: string;
}

export type BookingStatus = 'active' | 'cancelled';

/** Where a booking change came from (for the audit trail and EI). */
export type ChangeOrigin = 'soap' | 'staff' | 'housekeeping' | 'import';

/**
 * A booking or an invitation (kallelse). An invitation made by the clinic
 * has `isInvitation`; a timed one has a slot, an open one has none and is
 * booked by the patient with MakeBooking(bookingId).
 */
export interface Booking {
  readonly id: string;
  readonly facility: string;
  readonly subjectOfCare: string;
  readonly patient: PatientDetails;
  readonly isInvitation: boolean;
  /** The claimed slot; absent only for an open invitation. */
  readonly slotId?: string;
  readonly start?: LocalTime;
  readonly end?: LocalTime;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  readonly performer?: string;
  readonly resourceId?: string;
  /** Invitation text: plain text or entity-escaped DocBook 5 (TKB §2.1). */
  readonly purpose?: string;
  /** The patient's stated reason. Never put into a notification title. */
  readonly reason?: string;
  /** The patient's wish to be notified (MakeBooking `notification`). */
  readonly notification?: string;
  /** Last day an open invitation can be booked (`yyyyMMdd`); expired ones are removed from EI. */
  readonly expiresOn?: string;
  readonly status: BookingStatus;
  readonly cancelMessage?: string;
  /** Business date of an invitation with no time yet, and the audit trail (UTC ms). */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Incremented on every change; guards against lost updates. */
  readonly version: number;
}
