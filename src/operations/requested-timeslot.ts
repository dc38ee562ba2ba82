/**
 * The parts of a requested timeslot MakeBooking and UpdateBooking need. The
 * XSD makes start, end and subject_of_care optional in TimeslotType, but the
 * TKB marks them mandatory in these requests, so their absence is a fault.
 */
import type { Decoded } from '../contracts/model.ts';
import type { SubjectOfCareType, TimeslotType } from '../contracts/scheduling.ts';
import type { SlotCriteria } from '../domain/scheduling-service.ts';
import type { PatientDetails } from '../domain/types.ts';
import { tsToInstants } from '../domain/local-time.ts';
import { SoapFault } from '../soap/fault.ts';
import type { OperationContext } from './operation.ts';
import { requireSamePatient } from './result.ts';

/**
 * Whether start-end can be a slot of positive length. In the repeated autumn
 * hour the local end can read earlier than the start (02:50 CEST to 02:10 CET
 * is 20 minutes), and we offer such slots with exactly those times, so only
 * an order no reading of the two times can make forward is refused.
 */
function endsAfterStart(start: string, end: string): boolean {
  const starts = tsToInstants(start);
  const ends = tsToInstants(end);
  if (starts.length === 0 || ends.length === 0) return end > start;
  return Math.max(...ends) > Math.min(...starts);
}

/**
 * The requested timeslot's fields, faulting when a mandatory one is missing,
 * the slot runs backwards, or a patient Actor asks for someone else.
 */
export function requireTimeslotFields(
  t: Decoded<typeof TimeslotType>,
  operation: string,
  actor: OperationContext['actor'],
) {
  const missing = (name: string) =>
    new SoapFault('Client', `invalid request: ${operation}/requestedTimeslot/${name} is mandatory`);
  if (t.startTimeInclusive === undefined) throw missing('startTimeInclusive');
  if (t.endTimeExclusive === undefined) throw missing('endTimeExclusive');
  if (t.subject_of_care === undefined) throw missing('subject_of_care');
  if (!endsAfterStart(t.startTimeInclusive, t.endTimeExclusive))
    throw new SoapFault(
      'Client',
      `invalid request: ${operation}/requestedTimeslot ends before it starts`,
    );
  requireSamePatient(actor, t.subject_of_care);
  const criteria: SlotCriteria = {
    ...(t.performer !== undefined ? { performer: t.performer } : {}),
    ...(t.resourceID !== undefined ? { resourceId: t.resourceID } : {}),
    ...(t.timeTypeID !== undefined ? { timeTypeId: t.timeTypeID } : {}),
    ...(t.careTypeID !== undefined ? { careTypeId: t.careTypeID } : {}),
  };
  return {
    healthcare_facility: t.healthcare_facility,
    start: t.startTimeInclusive,
    end: t.endTimeExclusive,
    subjectOfCare: t.subject_of_care,
    bookingId: t.bookingId,
    reason: t.reason,
    criteria,
  };
}

/** What MakeBooking and UpdateBooking both ask of the booking rules for `slot`. */
export function soapChange(
  slot: ReturnType<typeof requireTimeslotFields>,
  notification: string | undefined,
) {
  return {
    facility: slot.healthcare_facility,
    startTs: slot.start,
    endTs: slot.end,
    subjectOfCare: slot.subjectOfCare,
    origin: 'soap',
    ...slot.criteria,
    ...(slot.reason !== undefined ? { reason: slot.reason } : {}),
    ...(notification !== undefined ? { notification } : {}),
  } as const;
}

export function patientDetails(p: Decoded<typeof SubjectOfCareType>): PatientDetails {
  return {
    firstName: p.firstName,
    lastName: p.lastName,
    ...(p.middleName ? { middleName: p.middleName } : {}),
    ...(p.phone ? { phone: p.phone } : {}),
    ...(p.email ? { email: p.email } : {}),
    ...(p.address ? { address: p.address } : {}),
    ...(p.coaddress ? { coaddress: p.coaddress } : {}),
  };
}
