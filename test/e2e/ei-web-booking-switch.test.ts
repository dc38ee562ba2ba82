/**
 * Issue 12 item 7: a unit switched off for web booking must not strand its
 * engagements in EI. Switching it off (a calendar import) deletes them;
 * switching it on again loads its current ones, without anyone running a
 * reload; the import report says what it queued. A cancellation at a unit
 * switched off sends nothing more (EI no longer holds it), and `ei reload` of
 * such a unit deletes instead of refusing.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { hooksThroughService } from '../../src/calendar/import-calendar-file.ts';
import { importCalendar, type ImportReport } from '../../src/calendar/import-calendar.ts';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { acceptedTransactions, assertEveryCallConforms } from '../support/ei-checks.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { startEiTestApp, type EiTestApp } from '../support/test-app.ts';

describe('switching a unit on and off for web booking keeps EI current', () => {
  let t: EiTestApp;
  beforeEach(async () => {
    t = await startEiTestApp({ adminToken: TOKEN });
  });
  afterEach(() => t.close());

  /** Imports a calendar that only sets FACILITY's switch, through the service as `tidbok import` does. */
  const importSwitch = async (on: boolean): Promise<ImportReport> => {
    const unit = (await t.app.store.getFacility(FACILITY))!;
    const report = await importCalendar(
      t.app.store,
      {
        facilities: [{ ...unit, webBookingEnabled: on }],
        timeTypes: [],
        careTypes: [],
        performers: [],
        resources: [],
        timeslots: [],
        invitations: [],
        patients: [],
      },
      hooksThroughService(t.app.service),
    );
    t.app.dispatchers.get('engagement-index')!.notify();
    await t.drained();
    return report;
  };
  const steps = (from: number) =>
    acceptedTransactions(t.ei, from).map(
      (x) =>
        `${x.deleteFlag ? 'delete' : 'upsert'} ${x.engagement.businessObjectInstanceIdentifier}`,
    );

  it('deletes the unit’s engagements when it is switched off, and loads them when it is on again', async () => {
    const kept = await soapMakeBooking(t.url, t.calendar.doctorSlots[0]!);
    const cancelledLater = await soapMakeBooking(t.url, t.calendar.doctorSlots[1]!);
    await t.drained();

    let mark = t.ei.calls.length;
    const off = await importSwitch(false);
    assert.deepEqual(off.webBooking, {
      switchedOn: [],
      switchedOff: [FACILITY],
      queued: { 'engagement-index': 2 },
    });
    assert.deepEqual(steps(mark).sort(), [`delete ${cancelledLater}`, `delete ${kept}`].sort());
    assert.equal(t.ei.engagements().length, 0, 'EI holds nothing of the unit');

    // Cancelled while switched off: EI holds nothing of it, so nothing is sent, and
    // switching on must not bring it back.
    await t.app.service.cancel({ bookingId: cancelledLater, facility: FACILITY, origin: 'staff' });
    await t.drained();

    mark = t.ei.calls.length;
    const on = await importSwitch(true);
    assert.deepEqual(on.webBooking, {
      switchedOn: [FACILITY],
      switchedOff: [],
      queued: { 'engagement-index': 1 },
    });
    assert.deepEqual(steps(mark), [`upsert ${kept}`]);
    assert.deepEqual(
      t.ei.engagements().map((e) => e.businessObjectInstanceIdentifier),
      [kept],
    );
    assertEveryCallConforms(t.ei);
  });

  it('cleans up with ei reload what a unit switched off earlier left in EI', async () => {
    const stranded = await soapMakeBooking(t.url, t.calendar.doctorSlots[2]!);
    await t.drained();
    // Switched off the old way: the row changed, nothing announced.
    const unit = (await t.app.store.getFacility(FACILITY))!;
    await t.app.store.transaction((tx) => tx.upsertFacility({ ...unit, webBookingEnabled: false }));
    assert.deepEqual(
      t.ei.engagements().map((e) => e.businessObjectInstanceIdentifier),
      [stranded],
      'stranded in EI',
    );

    const admin = await fetch(`${t.url}/admin/ei/reload?facility=${FACILITY}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(admin.status, 200);
    assert.equal(((await admin.json()) as { queued: string }).queued, 'delete');
    t.app.dispatchers.get('engagement-index')!.notify();
    await t.drained();
    assert.equal(t.ei.engagements().length, 0);
  });
});

const TOKEN = 'test-admin-token-0123456789';
