/**
 * Issue 12 item 8: the MVK guide's order, a cancellation first and then the
 * new booking. When a change replaces an engagement's key (a move to the
 * partner unit, an open invitation booked) while the per-key gap still holds
 * back the delete of the old key, the create of the new key must wait for
 * that delete too, on the wire.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { soapMakeBooking, soapUpdateBooking } from '../support/booking-calls.ts';
import {
  acceptedTransactions,
  assertEveryCallConforms,
  type WireTransaction,
} from '../support/ei-checks.ts';
import { FACILITY, PARTNER, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';
import { startEiTestApp, type EiTestApp } from '../support/test-app.ts';

/** A real gap, shortened: long enough that a create sent at once would beat the delete. */
const KEY_GAP_MS = 1_500;

/** `delete <unit> <categorization>` or `create <unit> <categorization>`, in the order EI took them. */
const steps = (sent: readonly WireTransaction[]) =>
  sent.map(
    (t) =>
      `${t.deleteFlag ? 'delete' : 'create'} ${t.engagement.logicalAddress} ${t.engagement.categorization}`,
  );

describe('a replaced engagement key is deleted in EI before its successor is created', () => {
  let t: EiTestApp;
  beforeEach(async () => {
    t = await startEiTestApp({ keyGapMs: KEY_GAP_MS });
  });
  afterEach(() => t.close());

  it('moving a booking to the partner unit right after it was reported', async () => {
    const bookingId = await soapMakeBooking(t.url, t.calendar.doctorSlots[0]!);
    await t.drained();
    const mark = t.ei.calls.length;
    // Within the gap after the create: the delete of the old key is held back.
    await soapUpdateBooking(t.url, bookingId, t.calendar.partnerSlots[0]!);
    await t.drained(15_000);

    assert.deepEqual(steps(acceptedTransactions(t.ei, mark)), [
      `delete ${FACILITY} Booking`,
      `create ${PARTNER} Booking`,
    ]);
    assertEveryCallConforms(t.ei);
  });

  it('booking an open invitation right after it was reported', async () => {
    const outcome = await t.app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Välkommen på årskontroll',
    });
    assert.ok(outcome.ok);
    await t.drained();
    const mark = t.ei.calls.length;
    await soapMakeBooking(t.url, t.calendar.doctorSlots[1]!, {
      bookingId: outcome.value.booking.id,
    });
    await t.drained(15_000);

    assert.deepEqual(steps(acceptedTransactions(t.ei, mark)), [
      `delete ${FACILITY} Invitation`,
      `create ${FACILITY} Booking`,
    ]);
    assertEveryCallConforms(t.ei);
  });
});
