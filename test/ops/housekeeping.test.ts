/**
 * Housekeeping (policy §3.1 item 3, must-have 25): passed bookings and
 * expired invitations leave EI by themselves, once, and not again after a
 * restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addDays, instantToDt } from '../../src/domain/local-time.ts';
import { startEiSimulator, type EiSimulator } from '../../src/dev/ei-simulator.ts';
import { createApp, type App } from '../../src/app.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { expected, receivedSince } from '../support/ei-received.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { PRODUCER_HSA_ID, TEST_EI_CONFIG, testEiChannel } from '../support/test-app.ts';
import {
  bookingOfSlot,
  FACILITY,
  PATIENT,
  PATIENT_INFO,
  seedTestCalendar,
} from '../support/test-calendar.ts';

const DAY = 86_400_000;

void describe('housekeeping', { skip: skipWithoutNationalContracts }, () => {
  let dir: string;
  let ei: EiSimulator;
  // A clock that runs, shifted by `offset` (the outbox stamps appends with the real time).
  let offset = 0;
  const clock = () => Date.now() + offset;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-housekeeping-'));
    ei = await startEiSimulator({ hsaId: TEST_EI_CONFIG.logicalAddress });
  });
  after(async () => {
    await ei.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(): App {
    const app = createApp({
      store: join(dir, 'tidbok.db'),
      logger: silentLogger,
      producerHsaId: PRODUCER_HSA_ID,
      channels: [testEiChannel({ url: ei.url })],
      dispatch: { keyGapMs: 0, pollIntervalMs: 20, leaseMs: 5_000 },
      now: clock,
      processMetrics: false,
    });
    app.startDispatcher();
    return app;
  }

  async function drained(app: App) {
    for (let i = 0; i < 400; i++) {
      const s = await app.outbox.status(undefined, clock());
      if (s.pending === 0 && s.inFlight === 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('outbox not drained');
  }

  void it('deletes a passed booking and an expired invitation once, and not again after a restart', async (t) => {
    let app = start();
    t.after(() => app.close());
    const calendar = await seedTestCalendar(app.store, clock());
    const slot = calendar.doctorSlots[0]!;
    const booked = await app.service.makeBooking(bookingOfSlot(slot, 'soap'));
    assert.ok(booked.ok);
    const invited = await app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Kallelse',
      expiresOn: addDays(instantToDt(clock()), 2),
    });
    assert.ok(invited.ok);
    const lasting = await app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Kallelse utan slutdag',
    });
    assert.ok(lasting.ok);
    await drained(app);
    assert.equal(ei.findContent(PATIENT).length, 3);

    // Nothing has ended yet.
    assert.deepEqual(await app.housekeeper.runOnce(), { expired: 0, pruned: 0 });

    offset += 5 * DAY; // the slot (within 3 days) has passed, the invitation's last day too
    const mark = ei.calls.length;
    assert.equal((await app.housekeeper.runOnce()).expired, 2);
    await drained(app);
    const received = receivedSince(ei, mark);
    assert.deepEqual(
      received.sort((a, b) =>
        a.engagement.categorization.localeCompare(b.engagement.categorization),
      ),
      [
        expected(true, {
          person: PATIENT,
          categorization: 'Booking',
          facility: FACILITY,
          id: booked.value.id,
        }),
        expected(true, {
          person: PATIENT,
          categorization: 'Invitation',
          facility: FACILITY,
          id: invited.value.booking.id,
        }),
      ],
    );
    assert.deepEqual(
      ei.findContent(PATIENT).map((e) => e.businessObjectInstanceIdentifier),
      [lasting.value.booking.id],
    );
    assert.equal((await app.housekeeper.runOnce()).expired, 0);

    // A restart (a new process on the same database) finds nothing left to report.
    await app.close();
    app = start();
    const afterRestart = ei.calls.length;
    app.startHousekeeping();
    assert.equal((await app.housekeeper.runOnce()).expired, 0);
    await drained(app);
    assert.equal(ei.calls.length, afterRestart);
    // The bookings themselves stay, for GetBookingDetails and the history.
    assert.equal((await app.store.getBooking(booked.value.id))?.status, 'active');
  });
});
