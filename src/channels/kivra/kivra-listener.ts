/**
 * Turns booking changes into Kivra letters, written to the outbox in the
 * change's own transaction (transactional outbox). The message holds the
 * finished request body, so a delivery or a retry never reads the calendar
 * again and always sends the bytes of the first attempt.
 *
 * @module
 */
import type { BookingChange, BookingChangeListener } from '../../domain/booking-change.ts';
import type { Booking, Facility } from '../../domain/types.ts';
import type { CalendarReader, NewOutboxMessage } from '../../store/calendar-store.ts';
import { kivraContentBody, type KivraContentOptions } from './kivra-content.ts';
import type { LetterFacts, LetterKind } from './kivra-letter.ts';

/** Outbox channel name of Kivra. */
export const KIVRA_CHANNEL = 'kivra';

/** How long a letter without a visit time (an open invitation) is retried (channels.md §5). */
export const UNDATED_LETTER_RETRY_MS = 72 * 3_600_000;

/** The outbox payload of the `kivra` channel. */
export interface KivraOutboxPayload {
  readonly letter: LetterKind;
  readonly bookingId: string;
  /** The recipient, for the usermatch check (the body holds it too). */
  readonly ssn: string;
  /**
   * Passing failures are retried until this instant, then dead-lettered: the
   * visit's start, or {@link UNDATED_LETTER_RETRY_MS} after the change.
   */
  readonly giveUpAtUtcMs: number;
  /** The exact JSON text of the content POST. */
  readonly body: string;
}

/** What the listener needs to know. */
export interface KivraListenerConfig extends KivraContentOptions {
  /** HSA-ids of the units that send letters (any case); absent: every unit. */
  readonly facilities?: readonly string[];
}

/** Which letter a change calls for, and about which state of the booking; undefined: none. */
export function letterFor(
  change: BookingChange,
): { readonly kind: LetterKind; readonly booking: Booking } | undefined {
  const { after, before } = change;
  switch (change.kind) {
    case 'created':
      if (!after.isInvitation) return { kind: 'booked', booking: after };
      return { kind: after.start ? 'invited' : 'open-invitation', booking: after };
    case 'changed': {
      // A change of patient details alone is no news worth a letter.
      const moved =
        before?.start?.utcMs !== after.start?.utcMs ||
        before?.facility.toLowerCase() !== after.facility.toLowerCase();
      return moved && after.start ? { kind: 'rebooked', booking: after } : undefined;
    }
    case 'cancelled': {
      const last = before ?? after;
      return { kind: last.start ? 'cancelled' : 'invitation-withdrawn', booking: last };
    }
    // A passed booking, and a unit switched on or off for web booking, are no news to the patient.
    case 'expired':
    case 'published':
    case 'unpublished':
      return undefined;
  }
}

/** Whether letters are sent for this unit. */
export function isEnabled(facility: Facility, config: KivraListenerConfig): boolean {
  if (!config.facilities) return true;
  const id = facility.hsaId.toLowerCase();
  return config.facilities.some((f) => f.toLowerCase() === id);
}

/** The facts of one letter about `booking` at `facility`, with the names the body shows. */
export async function factsOf(
  tx: CalendarReader,
  kind: LetterKind,
  booking: Booking,
  facility: Facility,
  atUtcMs: number,
): Promise<LetterFacts> {
  const timeType = (await tx.listTimeTypes(facility.hsaId)).find(
    (t) => t.id === booking.timeTypeId,
  );
  const careType = booking.careTypeId
    ? (await tx.listCareTypes(facility.hsaId)).find((c) => c.id === booking.careTypeId)
    : undefined;
  return {
    kind,
    bookingId: booking.id,
    ssn: booking.subjectOfCare,
    unitName: facility.name,
    ...(facility.postalAddress ? { unitAddress: facility.postalAddress } : {}),
    ...(booking.start ? { startUtcMs: booking.start.utcMs } : {}),
    ...(booking.end ? { endUtcMs: booking.end.utcMs } : {}),
    visitType: timeType?.name ?? booking.timeTypeId,
    ...(careType ? { careType: careType.name } : {}),
    ...(booking.expiresOn ? { expiresOn: booking.expiresOn } : {}),
    changedAtUtcMs: atUtcMs,
  };
}

/** The outbox message for finished facts. */
export async function kivraMessage(
  facts: LetterFacts,
  options: KivraContentOptions,
): Promise<NewOutboxMessage> {
  const payload: KivraOutboxPayload = {
    letter: facts.kind,
    bookingId: facts.bookingId,
    ssn: facts.ssn,
    giveUpAtUtcMs: facts.startUtcMs ?? facts.changedAtUtcMs + UNDATED_LETTER_RETRY_MS,
    body: await kivraContentBody(facts, options),
  };
  // One key per recipient: their letters go out in order, one at a time.
  return { channel: KIVRA_CHANNEL, key: facts.ssn, payload };
}

/**
 * The letter a change calls for, as facts, or undefined when none is sent:
 * no letter for this kind of change, a unit not enabled for Kivra, or a
 * visit whose start has already passed.
 */
export async function kivraFacts(
  tx: CalendarReader,
  change: BookingChange,
  config: KivraListenerConfig,
): Promise<LetterFacts | undefined> {
  const letter = letterFor(change);
  if (!letter) return undefined;
  const facility = await tx.getFacility(letter.booking.facility);
  if (!facility || !isEnabled(facility, config)) return undefined;
  const start = letter.booking.start?.utcMs;
  if (start !== undefined && start <= change.atUtcMs) return undefined;
  return factsOf(tx, letter.kind, letter.booking, facility, change.atUtcMs);
}

/** The listener the scheduling service runs inside every change's transaction. */
export function kivraListener(config: KivraListenerConfig): BookingChangeListener {
  return async (tx, change) => {
    const facts = await kivraFacts(tx, change, config);
    if (facts) await tx.appendOutbox([await kivraMessage(facts, config)]);
  };
}
