/**
 * Turns booking changes into engagement-index Update transactions, queued in
 * the outbox inside the change's own transaction (rivta-spec §3.2, §3.3).
 *
 * The mapping is pure apart from one read: the facility, to honour the
 * per-unit web-booking switch (rivta-spec §3.1 item 2) and to send the unit's
 * HSA-id exactly as it is stored and served, so that every delete repeats its
 * create's key byte for byte (must-have 25).
 *
 * @module
 */
import { engagementKeyFields } from '../../contracts/engagement-index.ts';
import type { BookingChange, BookingChangeListener } from '../../domain/booking-change.ts';
import { instantToTs, isInDstGap } from '../../domain/local-time.ts';
import type { Booking, Facility } from '../../domain/types.ts';
import type { NewOutboxMessage, StoreTx } from '../../store/calendar-store.ts';

/** Outbox channel name of the engagement index. */
export const EI_CHANNEL = 'engagement-index';

/** TKB-F §5.1; AGP queries exactly this value (rivta-spec §2.3 item 10). */
export const SCHEDULING_SERVICE_DOMAIN = 'riv:crm:scheduling';

/** The domain does not use it, but EI rejects an empty value (rivta-spec §3.2). */
export const CLINICAL_PROCESS_INTEREST_ID = 'NA';

/** The national EI's owner id, used as LogicalAddress of every Update (rivta-spec §4). */
export const NATIONAL_EI_LOGICAL_ADDRESS = '5565594230';

/** How we reach the engagement index and who we say we are. */
export interface EiConfig {
  /** Update endpoint (EI directly, or VP). Absent: EI reporting is queued but not sent. */
  readonly url?: string;
  /** LogicalAddress header of every Update: the EI owner's id (national `5565594230`). */
  readonly logicalAddress: string;
  /** HSA-id of this scheduling-system instance. */
  readonly sourceSystem: string;
  /** The data controller (PU-ansvarig), e.g. `SE` + organisation number. */
  readonly dataController: string;
  /** Mutual TLS: PEM file paths of our client certificate, its key and the CA to trust. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
  /** Give up on one Update call after this long (then retried). */
  readonly timeoutMs: number;
  /** Engagements per Update call; EI accepts at most 1000 (EI000). */
  readonly batchSize: number;
  /**
   * How long the dispatcher's claim on a batch lasts (ms; `EI_LEASE_MS`, 10
   * minutes by default): after a crash, what the dead process had in flight
   * is sent again once this has passed. Longer than `timeoutMs`, so a slow
   * call is never sent twice at once.
   */
  readonly leaseMs?: number;
}

/** Defaults for everything that has a sensible one. */
export const eiConfigDefaults = {
  logicalAddress: NATIONAL_EI_LOGICAL_ADDRESS,
  // EI's SLA is < 20 ms per record + 100 ms; resend when it takes 50 % longer
  // (rivta-spec §4, EI-TKB consumer SLA). 1000 records → 30 s, rounded up.
  timeoutMs: 30_000,
  batchSize: 1000,
} as const;

/** One engagement as EI's `EngagementType`, without the fields EI sets itself. */
export interface Engagement {
  readonly registeredResidentIdentification: string;
  readonly serviceDomain: string;
  readonly categorization: 'Booking' | 'Invitation';
  readonly logicalAddress: string;
  readonly businessObjectInstanceIdentifier: string;
  readonly clinicalProcessInterestId: string;
  /** Present on create and update, absent on delete (must-have 23). */
  readonly mostRecentContent?: string;
  readonly sourceSystem: string;
  readonly dataController: string;
}

/** The outbox payload of the `engagement-index` channel: one `engagementTransaction`. */
export interface EngagementTransaction {
  readonly deleteFlag: boolean;
  readonly engagement: Engagement;
}

/** Finds the facility a booking belongs to; by default `tx.getFacility`. */
export type FacilityLookup = (tx: StoreTx, hsaId: string) => Promise<Facility | undefined>;

const lookupOnTx: FacilityLookup = (tx, hsaId) => tx.getFacility(hsaId);

/**
 * An engagement's identity in EI: its key fields in the order of EI's hash
 * ({@link engagementKeyFields}), owner left out because EI sets it. Two engagements
 * have the same key here exactly when EI would give them the same hash. JSON
 * keeps the fields apart whatever characters they hold; the person id is
 * inside, so the key is masked wherever it is shown.
 */
export function engagementKey(e: Engagement): string {
  return JSON.stringify(engagementKeyFields.flatMap((f) => (f === 'owner' ? [] : [e[f]])));
}

/**
 * The outbox ordering key of an engagement's messages: its booking's id.
 * The outbox sends one key's messages one after another, each a key gap
 * after the previous delivery, so all EI messages of one booking go out in
 * order even when a change replaces the engagement's EI key (a move to the
 * partner unit, an open invitation booked): the delete of the old key is
 * delivered before the create of the new one, as the MVK guide asks (issue 12
 * item 8). Every EI key holds its booking id, so EI's per-key order holds too.
 */
export function outboxKeyOf(e: Engagement): string {
  return e.businessObjectInstanceIdentifier;
}

/**
 * A TS EI will accept. A stored local time inside the spring DST gap cannot
 * exist and EI rejects it (EI004, rivta-spec §4), so we write the stored
 * instant instead: formatting an instant in Europe/Stockholm never lands in
 * the gap (02:30 in the gap means 03:30 CEST, the same instant). The value is
 * only EI's sort and notify hint, so an hour's shift is harmless; losing the
 * update would not be.
 */
function safeTs(ts: string, utcMs: number): string {
  return isInDstGap(ts) ? instantToTs(utcMs) : ts;
}

/** Booking: the start. Invitation with no time yet: its business date, the creation instant. */
function mostRecentContentOf(booking: Booking): string {
  return booking.start
    ? safeTs(booking.start.ts, booking.start.utcMs)
    : instantToTs(booking.createdAt);
}

function engagementOf(
  booking: Booking,
  facility: Facility,
  config: EiConfig,
  withContent: boolean,
): Engagement {
  return {
    registeredResidentIdentification: booking.subjectOfCare,
    serviceDomain: SCHEDULING_SERVICE_DOMAIN,
    categorization: booking.isInvitation ? 'Invitation' : 'Booking',
    logicalAddress: facility.hsaId,
    businessObjectInstanceIdentifier: booking.id,
    clinicalProcessInterestId: CLINICAL_PROCESS_INTEREST_ID,
    ...(withContent ? { mostRecentContent: mostRecentContentOf(booking) } : {}),
    sourceSystem: config.sourceSystem,
    dataController: config.dataController,
  };
}

function message(transaction: EngagementTransaction): NewOutboxMessage {
  return { channel: EI_CHANNEL, key: outboxKeyOf(transaction.engagement), payload: transaction };
}

/**
 * The outbox message that creates or refreshes one booking's engagement
 * (an upsert with `mostRecentContent`), exactly as the listener writes it
 * for a new booking; used by the EI reload. `facility` is the booking's own,
 * as stored.
 */
export function engagementUpsert(
  booking: Booking,
  facility: Facility,
  config: EiConfig,
): NewOutboxMessage {
  return message({ deleteFlag: false, engagement: engagementOf(booking, facility, config, true) });
}

/** The outbox message that deletes one booking's engagement; used by the reload of a unit switched off. */
export function engagementDelete(
  booking: Booking,
  facility: Facility,
  config: EiConfig,
): NewOutboxMessage {
  return message({ deleteFlag: true, engagement: engagementOf(booking, facility, config, false) });
}

/**
 * EI's collect window (rivta-spec §4): single-engagement calls are merged per
 * key for up to 5 s, and there a delete beats a later create. A create that
 * follows a delete of the same key must therefore reach EI at least this long
 * after it.
 */
export const EI_COLLECT_WINDOW_GAP_MS = 6_000;

/**
 * The Update transactions one booking change calls for, in the order EI must
 * apply them (rivta-spec §3.3; must-haves 21–25):
 * - unchanged key: one upsert with the new `mostRecentContent`;
 * - changed bookingId, unit or categorization (an open invitation booked, a
 *   timed invitation rebooked, a move to another unit): delete the old key,
 *   then create the new one;
 * - cancellation, passed booking, expired invitation: delete, same key fields;
 * - unit switched on for web booking: upsert (initial load); switched off: delete.
 * Units not enabled for web booking are never sent, neither side of a move:
 * switching a unit off deletes what EI held of it, so EI holds nothing of such
 * a unit.
 */
export async function engagementMessages(
  tx: StoreTx,
  change: BookingChange,
  config: EiConfig,
  lookup: FacilityLookup = lookupOnTx,
): Promise<NewOutboxMessage[]> {
  const enabled = async (booking: Booking) => {
    const facility = await lookup(tx, booking.facility);
    return facility?.webBookingEnabled ? facility : undefined;
  };
  const remove = async (booking: Booking) => {
    const facility = await enabled(booking);
    return facility ? [engagementOf(booking, facility, config, false)] : [];
  };
  const upsert = async (booking: Booking) => {
    const facility = await enabled(booking);
    return facility ? [engagementOf(booking, facility, config, true)] : [];
  };

  let deletes: Engagement[] = [];
  let upserts: Engagement[] = [];
  switch (change.kind) {
    case 'created':
    case 'changed':
      upserts = await upsert(change.after);
      // `before` on `created` is the open invitation the booking replaced;
      // if it is absent (could not be identified) only the create is sent.
      if (change.before) deletes = await remove(change.before);
      break;
    case 'cancelled':
      // The state before the cancellation holds the key as last sent.
      deletes = await remove(change.before ?? change.after);
      break;
    case 'expired':
      deletes = await remove(change.after);
      break;
    case 'published':
      // The unit was switched on: the policy's initial load of its current engagements.
      upserts = await upsert(change.after);
      break;
    case 'unpublished': {
      // The unit was switched off, so the check above would send nothing; but
      // EI holds the engagement and must let go of it (issue 12 item 7).
      const facility = await lookup(tx, change.after.facility);
      if (facility) deletes = [engagementOf(change.after, facility, config, false)];
      break;
    }
  }

  const upsertKeys = new Set(upserts.map(engagementKey));
  const out: NewOutboxMessage[] = [];
  for (const engagement of deletes) {
    // The same key on both sides is one upsert, never delete + create (must-have 24).
    if (!upsertKeys.has(engagementKey(engagement)))
      out.push(message({ deleteFlag: true, engagement }));
  }
  for (const engagement of upserts) out.push(message({ deleteFlag: false, engagement }));
  return out;
}

/**
 * The listener the domain service registers: appends this change's EI
 * transactions to the outbox on the change's own transaction.
 *
 * Ordering with EI's collect window: a create that follows a delete of the same
 * key (cancel, then the same booking id back at the same unit; a move to another
 * unit and back) must not reach EI within 5 s of the delete. Those two messages
 * come from different changes, and when EI has been down they are sent back to
 * back however far apart they were queued, so no `notBeforeUtcMs` fixed here
 * could keep them apart. The dispatcher does it at delivery time instead: it
 * claims a key's next message only {@link EI_COLLECT_WINDOW_GAP_MS} after the
 * key's previous delivery (see `EngagementIndexChannel.keyGapMs`).
 */
export function engagementListener(
  config: EiConfig,
  facilityLookup?: FacilityLookup,
): BookingChangeListener {
  return async (tx, change) => {
    const messages = await engagementMessages(tx, change, config, facilityLookup);
    if (messages.length > 0) await tx.appendOutbox(messages);
  };
}
