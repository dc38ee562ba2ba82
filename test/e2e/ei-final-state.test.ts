/**
 * Quick successions of changes, the kind that go wrong in EI: the
 * engagements EI holds at the end must be exactly the active bookings and
 * invitations (key fields, categorization, latest time). Run once with EI's
 * real behaviour imitated (5 s collect window: a delete beats a later
 * create, the larger mostRecentContent wins) against our real 6 s key gap,
 * and once with neither, as the fast baseline (rivta-spec §4; must-have 28).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EI_COLLECT_WINDOW_GAP_MS } from '../../src/channels/engagement-index/engagement-mapping.ts';
import { soapCancelBooking, soapMakeBooking, soapUpdateBooking } from '../support/booking-calls.ts';
import {
  acceptedCalls,
  assertEveryCallConforms,
  bookingState,
  eiState,
} from '../support/ei-checks.ts';
import { FACILITY, OTHER_PATIENT, PARTNER, PATIENT_INFO } from '../support/test-calendar.ts';
import { startEiTestApp, type EiTestApp } from '../support/test-app.ts';

/** EI's `collect.queue.completion.timeout` (rivta-spec §4). */
const EI_COLLECT_WINDOW_MS = 5_000;

/** The tricky successions, each on its own slots, run side by side. */
async function scenarios(t: EiTestApp): Promise<void> {
  // Partners both ways, so a booking moved to the partner unit can be moved back.
  await t.app.store.transaction(async (tx) => {
    const partner = await tx.getFacility(PARTNER);
    await tx.upsertFacility({ ...partner!, partnerFacilities: [FACILITY] });
  });
  const doctor = (i: number) => t.calendar.doctorSlots[i]!; // 6 a day: 0–5 day 1, 6–11 day 2, 12–17 day 3
  // Invitations go to another patient: a plain booking of the default patient's would otherwise book an
  // open invitation of the same time type (the new-booking flow rule, issue 12 item 1).
  const invite = async (slotIndex?: number) => {
    const outcome = await t.app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: OTHER_PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Kallelse till återbesök',
      ...(slotIndex === undefined ? {} : { slotId: doctor(slotIndex).id }),
    });
    assert.ok(outcome.ok);
    return outcome.value.booking.id;
  };

  await Promise.all([
    (async function cancelRightAfterCreate() {
      const id = await soapMakeBooking(t.url, doctor(0));
      await soapCancelBooking(t.url, FACILITY, id);
    })(),
    (async function rebookTwiceQuickly() {
      const id = await soapMakeBooking(t.url, doctor(1));
      await soapUpdateBooking(t.url, id, doctor(13));
      // Back to an earlier time: merged with the previous upsert, the larger (wrong) one would win.
      await soapUpdateBooking(t.url, id, doctor(7));
    })(),
    (async function bookAnOpenInvitation() {
      const id = await invite();
      await soapMakeBooking(t.url, doctor(2), { bookingId: id, subjectOfCare: OTHER_PATIENT });
    })(),
    (async function rebookAwayAndBack() {
      const id = await soapMakeBooking(t.url, doctor(3));
      await soapUpdateBooking(t.url, id, t.calendar.partnerSlots[0]!);
      await soapUpdateBooking(t.url, id, doctor(9));
    })(),
    (async function rebookATimedInvitation() {
      const id = await invite(4);
      await soapUpdateBooking(t.url, id, doctor(10), OTHER_PATIENT);
    })(),
    (async function withdrawAnInvitationAtOnce() {
      const id = await invite();
      const outcome = await t.app.service.cancel({
        bookingId: id,
        facility: FACILITY,
        origin: 'staff',
      });
      assert.ok(outcome.ok);
    })(),
    (async function aBookingLeftAlone() {
      await soapMakeBooking(t.url, doctor(5));
    })(),
  ]);
}

/** Waits until the outbox is empty and EI's collect window has closed on the last call. */
async function settled(t: EiTestApp, collectWindowMs: number): Promise<void> {
  await t.drained(60_000);
  const last = Math.max(...t.ei.calls.map((c) => c.atUtcMs));
  const wait = last + collectWindowMs + 250 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

for (const setup of [
  {
    name: 'with EI’s 5 s collect window imitated and the real 6 s key gap',
    keyGapMs: EI_COLLECT_WINDOW_GAP_MS,
    collectWindowMs: EI_COLLECT_WINDOW_MS,
  },
  { name: 'with no collect window and no key gap', keyGapMs: 0, collectWindowMs: 0 },
]) {
  describe(`EI’s final state equals the booking state, ${setup.name}`, () => {
    it('after cancel-after-create, two quick rebookings, a booked invitation, a move away and back', async () => {
      const t = await startEiTestApp({
        keyGapMs: setup.keyGapMs,
        simulator: { collectWindowMs: setup.collectWindowMs },
      });
      try {
        await scenarios(t);
        await settled(t, setup.collectWindowMs);

        const expected = await bookingState(t.app.store);
        assert.equal(expected.length, 5, 'five bookings and invitations stay active');
        assert.deepEqual(eiState(t.ei.engagements()), expected);
        assert.deepEqual(t.ei.overlappingKeys, []);
        assertEveryCallConforms(t.ei);

        if (setup.keyGapMs > 0) {
          // The reason it works: a key's updates never meet in one collect window.
          const byKey = new Map<string, number[]>();
          for (const call of acceptedCalls(t.ei))
            for (const x of call.transactions)
              byKey.set(x.key, [...(byKey.get(x.key) ?? []), call.atUtcMs]);
          for (const times of byKey.values())
            for (let i = 1; i < times.length; i++)
              assert.ok(
                times[i]! - times[i - 1]! > EI_COLLECT_WINDOW_MS,
                'successive updates of one key arrive more than the collect window apart',
              );
          assert.ok(
            [...byKey.values()].some((times) => times.length >= 3),
            'some key did get several updates',
          );
        }
      } finally {
        await t.close();
      }
    });
  });
}
