/**
 * Turns booking changes into `fhir-portal` outbox messages, in the change's
 * own transaction (transactional outbox):
 * - a booking or timed invitation made, moved or rebooked: `Appointment`
 *   `booked` with its latest times;
 * - a booking cancelled: `Appointment` `cancelled` with its last times; a
 *   booking that moved to a new id cancels the old id first;
 * - an invitation (open or timed): a `Communication` with its text;
 * - staff's message with a cancellation: a `Communication` with that message.
 * Expiry tells the patient nothing new, so it sends nothing.
 *
 * Every message of a booking has the booking id as its key, so the portal
 * gets them in commit order: a stale `booked` can never follow `cancelled`.
 *
 * @module
 */
import { DateTime } from 'luxon';
import type { BookingChange, BookingChangeListener } from '../../domain/booking-change.ts';
import { endOfDt, startOfDt, ZONE } from '../../domain/local-time.ts';
import type { Booking, Facility, LocalTime } from '../../domain/types.ts';
import type { NewOutboxMessage, StoreTx } from '../../store/calendar-store.ts';
import { FHIR_PORTAL_CHANNEL } from './fhir-portal-payload.ts';
import type {
  AppointmentSnapshot,
  CommunicationSnapshot,
  FhirPortalPayload,
  PatientSnapshot,
} from './fhir-portal-payload.ts';
import { swedishIdentifierOf } from './patient-identifier.ts';
import type { PatientIdentifier } from './patient-identifier.ts';
import { plainTextOf } from './plain-text.ts';

/** Finds the other national identifiers staff recorded for a patient (e.g. a BSN). */
export type OtherIdentifierLookup = (
  tx: StoreTx,
  subjectOfCare: string,
) => Promise<readonly PatientIdentifier[]>;

/** The identifiers staff recorded (admin API, CLI, calendar import), read on the change's transaction. */
const storedIdentifiers: OtherIdentifierLookup = (tx, subjectOfCare) =>
  tx.listPatientIdentifiers(subjectOfCare);

export interface FhirPortalListenerOptions {
  /** Facilities whose changes are sent (HSA-ids, any case); every facility when absent. */
  readonly facilities?: readonly string[];
  /** Other identifiers of a patient; those staff recorded in the store by default. */
  readonly otherIdentifiers?: OtherIdentifierLookup;
  /** How long a message with no appointment time or last day is retried (ms); 72 h by default. */
  readonly undatedRetryMs?: number;
}

const DEFAULT_UNDATED_RETRY_MS = 72 * 3_600_000;

/** `fredag 19 juni 2026 kl. 09.00` */
function spokenTime(time: LocalTime): string {
  return DateTime.fromMillis(time.utcMs, { zone: ZONE })
    .setLocale('sv')
    .toFormat("cccc d LLLL yyyy 'kl.' HH.mm");
}

function spokenDate(dt: string): string {
  return DateTime.fromMillis(startOfDt(dt), { zone: ZONE })
    .setLocale('sv')
    .toFormat('cccc d LLLL yyyy');
}

function fullName(booking: Booking): string | undefined {
  const { firstName, middleName, lastName } = booking.patient;
  const name = [firstName, middleName, lastName]
    .filter((part) => part !== undefined && part.trim() !== '')
    .join(' ');
  return name === '' ? undefined : name;
}

/** What every snapshot of one change is built from. */
interface Context {
  readonly tx: StoreTx;
  readonly change: BookingChange;
  readonly options: FhirPortalListenerOptions;
}

async function patientOf(ctx: Context, booking: Booking): Promise<PatientSnapshot> {
  const swedish = swedishIdentifierOf(booking.subjectOfCare);
  const lookup = ctx.options.otherIdentifiers ?? storedIdentifiers;
  const others = await lookup(ctx.tx, booking.subjectOfCare);
  const name = fullName(booking);
  return {
    identifiers: [...(swedish ? [swedish] : []), ...others],
    ...(name ? { name } : {}),
  };
}

async function appointment(
  ctx: Context,
  facility: Facility,
  booking: Booking,
  status: AppointmentSnapshot['status'],
): Promise<AppointmentSnapshot | undefined> {
  if (!booking.start || !booking.end) return undefined;
  const { tx } = ctx;
  const timeType = (await tx.listTimeTypes(facility.hsaId)).find(
    (t) => t.id === booking.timeTypeId,
  );
  const careType =
    booking.careTypeId === undefined
      ? undefined
      : (await tx.listCareTypes(facility.hsaId)).find((c) => c.id === booking.careTypeId);
  const performer =
    booking.performer === undefined
      ? undefined
      : (await tx.listPerformers(facility.hsaId)).find(
          (p) => p.hsaId.toLowerCase() === booking.performer!.toLowerCase(),
        );
  return {
    kind: 'appointment',
    bookingId: booking.id,
    status,
    start: booking.start,
    end: booking.end,
    facility: { hsaId: facility.hsaId, name: facility.name },
    timeType: { id: booking.timeTypeId, name: timeType?.name ?? booking.timeTypeId },
    ...(booking.careTypeId !== undefined
      ? { careType: { id: booking.careTypeId, name: careType?.name ?? booking.careTypeId } }
      : {}),
    ...(performer
      ? {
          performer: {
            hsaId: performer.hsaId,
            name: `${performer.firstName} ${performer.lastName}`.trim(),
          },
        }
      : {}),
    patient: await patientOf(ctx, booking),
    ...(timeType?.bookingInfo ? { comment: timeType.bookingInfo } : {}),
    giveUpAtUtcMs: booking.start.utcMs,
  };
}

function undatedGiveUp(ctx: Context, booking: Booking): number {
  if (booking.start) return booking.start.utcMs;
  if (booking.expiresOn) return endOfDt(booking.expiresOn);
  return ctx.change.atUtcMs + (ctx.options.undatedRetryMs ?? DEFAULT_UNDATED_RETRY_MS);
}

async function invitation(
  ctx: Context,
  facility: Facility,
  booking: Booking,
): Promise<CommunicationSnapshot> {
  const lines = [plainTextOf(booking.purpose ?? '')];
  if (booking.start) lines.push(`Tid: ${spokenTime(booking.start)}`, `Plats: ${facility.name}`);
  else
    lines.push(
      booking.expiresOn
        ? `Boka din tid hos ${facility.name} senast ${spokenDate(booking.expiresOn)}.`
        : `Boka din tid hos ${facility.name}.`,
    );
  return {
    kind: 'communication',
    bookingId: booking.id,
    about: 'invitation',
    topic: 'Kallelse',
    text: lines.filter((line) => line !== '').join('\n\n'),
    patient: await patientOf(ctx, booking),
    giveUpAtUtcMs: undatedGiveUp(ctx, booking),
  };
}

async function cancellationMessage(
  ctx: Context,
  facility: Facility,
  booking: Booking,
  message: string,
): Promise<CommunicationSnapshot> {
  const what = booking.start
    ? `Din tid ${spokenTime(booking.start)} hos ${facility.name} är avbokad.`
    : `Din kallelse från ${facility.name} är återkallad.`;
  return {
    kind: 'communication',
    bookingId: booking.id,
    about: 'cancellation',
    topic: booking.start ? 'Avbokad tid' : 'Återkallad kallelse',
    text: `${what}\n\nMeddelande från mottagningen:\n${message}`,
    patient: await patientOf(ctx, booking),
    giveUpAtUtcMs: undatedGiveUp(ctx, booking),
  };
}

function toMessage(payload: FhirPortalPayload): NewOutboxMessage {
  return { channel: FHIR_PORTAL_CHANNEL, key: payload.bookingId, payload };
}

/**
 * The snapshots one booking change calls for, in the order the portal must
 * get them. Facilities not enabled for the portal send nothing.
 */
export async function fhirPortalPayloads(
  tx: StoreTx,
  change: BookingChange,
  options: FhirPortalListenerOptions = {},
): Promise<FhirPortalPayload[]> {
  const enabled = options.facilities?.map((f) => f.toLowerCase());
  const ctx: Context = { tx, change, options };
  const facilityOf = async (booking: Booking) => {
    if (enabled && !enabled.includes(booking.facility.toLowerCase())) return undefined;
    return tx.getFacility(booking.facility);
  };
  const out: (FhirPortalPayload | undefined)[] = [];
  const { before, after } = change;
  switch (change.kind) {
    case 'created':
    case 'changed': {
      if (before?.start && before.id !== after.id) {
        const old = await facilityOf(before);
        if (old) out.push(await appointment(ctx, old, before, 'cancelled'));
      }
      const facility = await facilityOf(after);
      if (facility) {
        out.push(await appointment(ctx, facility, after, 'booked'));
        if (change.kind === 'created' && after.isInvitation)
          out.push(await invitation(ctx, facility, after));
      }
      break;
    }
    case 'cancelled': {
      const last = before ?? after;
      const facility = await facilityOf(last);
      if (!facility) break;
      out.push(await appointment(ctx, facility, last, 'cancelled'));
      if (change.origin === 'staff' && after.cancelMessage)
        out.push(await cancellationMessage(ctx, facility, last, after.cancelMessage));
      break;
    }
    // The portal follows its own facility list, not the web-booking switch.
    case 'expired':
    case 'published':
    case 'unpublished':
      break;
  }
  return out.filter((p) => p !== undefined);
}

/** The listener the composition root registers when the portal channel is on. */
export function fhirPortalListener(options: FhirPortalListenerOptions = {}): BookingChangeListener {
  return async (tx, change) => {
    const payloads = await fhirPortalPayloads(tx, change, options);
    if (payloads.length > 0) await tx.appendOutbox(payloads.map(toMessage));
  };
}
