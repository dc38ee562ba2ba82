/**
 * Checks on what the EI simulator received, shared by the end-to-end EI
 * suites: the conformance of every Update call (rivta-spec §3.2, §4;
 * must-haves 22, 23, 24, 26), per-key sequences, and the comparison of EI's
 * final state with the active bookings and invitations in the store.
 */
import assert from 'node:assert/strict';
import { Update } from '../../src/contracts/engagement-index.ts';
import type {
  EiSimulator,
  HeldEngagement,
  ReceivedCall,
  ReceivedTransaction,
} from '../../src/dev/ei-simulator.ts';
import type { CalendarStore } from '../../src/store/calendar-store.ts';
import type { Booking } from '../../src/domain/types.ts';
import { instantToTs } from '../../src/domain/local-time.ts';
import { assertValidAgainstNational, nationalContractsDir } from './national-schemas.ts';
import { PRODUCER_HSA_ID, TEST_EI_CONFIG } from './test-app.ts';

/** The national EI's owner id: the LogicalAddress of every Update (rivta-spec §4). */
export const EI_OWNER_ID = '5565594230';

/** What the test app is configured to send as sourceSystem and dataController. */
export const SOURCE_SYSTEM = PRODUCER_HSA_ID;
export const DATA_CONTROLLER = TEST_EI_CONFIG.dataController;

/** One engagement as we expect it on the wire: every field the request may carry, spelled out. */
export interface WireEngagement {
  readonly registeredResidentIdentification: string;
  readonly serviceDomain: string;
  readonly categorization: string;
  readonly logicalAddress: string;
  readonly businessObjectInstanceIdentifier: string;
  readonly clinicalProcessInterestId: string;
  readonly mostRecentContent?: string;
  readonly sourceSystem: string;
  readonly dataController: string;
}

/**
 * The engagement rivta-spec §3.2 prescribes for one booking or invitation,
 * written out from the spec rather than from our mapping code.
 */
export function expectedEngagement(e: {
  readonly subjectOfCare: string;
  readonly categorization: 'Booking' | 'Invitation';
  readonly facility: string;
  readonly bookingId: string;
  readonly mostRecentContent?: string;
}): WireEngagement {
  return {
    registeredResidentIdentification: e.subjectOfCare,
    serviceDomain: 'riv:crm:scheduling',
    categorization: e.categorization,
    logicalAddress: e.facility,
    businessObjectInstanceIdentifier: e.bookingId,
    clinicalProcessInterestId: 'NA',
    ...(e.mostRecentContent === undefined ? {} : { mostRecentContent: e.mostRecentContent }),
    sourceSystem: SOURCE_SYSTEM,
    dataController: DATA_CONTROLLER,
  };
}

/** An engagement transaction as received, reduced to plain data for deepEqual. */
export interface WireTransaction {
  readonly deleteFlag: boolean;
  readonly engagement: WireEngagement;
}

function wire(t: ReceivedTransaction): WireTransaction {
  // Spread into a plain object: every key the decoder produced stays, so a
  // stray owner or creationTime would show up in a deepEqual.
  return { deleteFlag: t.deleteFlag, engagement: { ...t.engagement } };
}

/** The calls EI accepted (answered OK). */
export function acceptedCalls(ei: EiSimulator, fromIndex = 0): ReceivedCall[] {
  return ei.calls.slice(fromIndex).filter((c) => c.outcome === 'OK');
}

/** The transactions of the accepted calls from `fromIndex` on, in the order EI received them. */
export function acceptedTransactions(ei: EiSimulator, fromIndex = 0): WireTransaction[] {
  return acceptedCalls(ei, fromIndex).flatMap((c) => c.transactions.map(wire));
}

/**
 * Every call the simulator received, accepted or not, is a conforming EI
 * Update: valid against the national XSD (TD_ENGAGEMENTINDEX_1_0_R), the
 * right SOAPAction, `LogicalAddress` = the EI owner, a correlation id, each
 * engagement shaped as rivta-spec §3.2 says (fixed fields, 12-character
 * person id, no owner/creationTime/updateTime, `mostRecentContent` exactly
 * on upserts) and no key twice in one call.
 */
export function assertEveryCallConforms(ei: EiSimulator): void {
  assert.ok(ei.calls.length > 0, 'EI received at least one call');
  ei.calls.forEach((call, i) => {
    const where = `call #${i + 1}`;
    if (nationalContractsDir) assertValidAgainstNational(call.body);
    assert.equal(call.soapAction, `"${Update.soapAction}"`, `${where}: SOAPAction`);
    assert.equal(call.logicalAddress, EI_OWNER_ID, `${where}: LogicalAddress header`);
    assert.match(call.correlationId ?? '', /\S/, `${where}: x-skltp-correlation-id`);
    assert.ok(call.transactions.length >= 1, `${where}: decoded transactions`);
    assert.ok(call.transactions.length <= 1000, `${where}: at most 1000 engagements`);
    assert.equal(
      new Set(call.transactions.map((t) => t.key)).size,
      call.transactions.length,
      `${where}: no key twice in one call`,
    );
    assert.doesNotMatch(
      call.body,
      /<(\w+:)?(owner|creationTime|updateTime)>/,
      `${where}: no EI-set fields`,
    );
    for (const t of call.transactions) {
      const e = t.engagement;
      assert.equal(e.serviceDomain, 'riv:crm:scheduling');
      assert.ok(e.categorization === 'Booking' || e.categorization === 'Invitation');
      assert.match(e.registeredResidentIdentification, /^[0-9]{12}$/);
      assert.equal(e.clinicalProcessInterestId, 'NA');
      assert.equal(e.sourceSystem, SOURCE_SYSTEM);
      assert.equal(e.dataController, DATA_CONTROLLER);
      assert.equal(e.owner, undefined);
      assert.equal(e.creationTime, undefined);
      assert.equal(e.updateTime, undefined);
      if (t.deleteFlag)
        assert.equal(e.mostRecentContent, undefined, `${where}: delete without mostRecentContent`);
      else
        assert.match(
          e.mostRecentContent ?? '',
          /^[0-9]{14}$/,
          `${where}: upsert with mostRecentContent`,
        );
    }
  });
}

/** One step of a key's life as EI saw it. */
export type KeyStep = 'delete' | `upsert ${string}`;

const stepOf = (t: ReceivedTransaction): KeyStep =>
  t.deleteFlag ? 'delete' : `upsert ${t.engagement.mostRecentContent ?? ''}`;

/** Per EI key, the steps of the accepted calls in arrival order. */
export function acceptedStepsByKey(ei: EiSimulator): Map<string, KeyStep[]> {
  const out = new Map<string, KeyStep[]>();
  for (const call of acceptedCalls(ei))
    for (const t of call.transactions) {
      const steps = out.get(t.key) ?? [];
      steps.push(stepOf(t));
      out.set(t.key, steps);
    }
  return out;
}

/** A sequence with runs of equal neighbours collapsed: what at-least-once delivery may add, taken away. */
export function collapseRepeats<T>(steps: readonly T[]): T[] {
  return steps.filter((s, i) => i === 0 || s !== steps[i - 1]);
}

/** An engagement reduced to what decides EI's view: key fields and mostRecentContent. */
export interface HeldView {
  readonly rri: string;
  readonly categorization: string;
  readonly logicalAddress: string;
  readonly bookingId: string;
  readonly mostRecentContent: string | undefined;
}

const byView = (a: HeldView, b: HeldView) =>
  `${a.logicalAddress}|${a.bookingId}|${a.categorization}`.localeCompare(
    `${b.logicalAddress}|${b.bookingId}|${b.categorization}`,
  );

/** What EI holds at the end, in a stable order. */
export function eiState(engagements: readonly HeldEngagement[]): HeldView[] {
  return engagements
    .map((e) => ({
      rri: e.registeredResidentIdentification,
      categorization: e.categorization,
      logicalAddress: e.logicalAddress,
      bookingId: e.businessObjectInstanceIdentifier,
      mostRecentContent: e.mostRecentContent,
    }))
    .sort(byView);
}

/** What EI should hold for one active booking or invitation (rivta-spec §3.2). */
export function viewOf(b: Booking): HeldView {
  return {
    rri: b.subjectOfCare,
    categorization: b.isInvitation ? 'Invitation' : 'Booking',
    logicalAddress: b.facility,
    bookingId: b.id,
    mostRecentContent: b.start ? b.start.ts : instantToTs(b.createdAt),
  };
}

/** The active bookings and invitations of the facilities enabled for web booking, as EI should hold them. */
export async function bookingState(store: CalendarStore): Promise<HeldView[]> {
  const out: HeldView[] = [];
  for (const facility of await store.listFacilities()) {
    if (!facility.webBookingEnabled) continue;
    for (const b of await store.listActiveBookings(facility.hsaId)) out.push(viewOf(b));
  }
  return out.sort(byView);
}

/** Polls until `condition` holds, or fails naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
