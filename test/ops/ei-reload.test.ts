/**
 * `tidbok ei reload`: every current engagement of a unit reaches EI again,
 * at most 1000 per Update call (policy §3.1 item 5, must-have 21).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commands } from '../../src/cli/commands/index.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { instantToTs } from '../../src/domain/local-time.ts';
import type { Booking } from '../../src/domain/types.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receivedSince } from '../support/ei-received.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { startEiTestApp, TEST_EI_CONFIG, type EiTestApp } from '../support/test-app.ts';
import { FACILITY, PATIENT } from '../support/test-calendar.ts';

const BOOKINGS = 1_205;

void describe('ei reload', { skip: skipWithoutNationalContracts }, () => {
  let dir: string;
  let t: EiTestApp;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-reload-'));
    t = await startEiTestApp({ store: join(dir, 'tidbok.db') });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('re-sends every current booking and invitation of the unit, at most 1000 per Update', async () => {
    // Bookings the index has lost: written straight to the store, without events.
    const now = Date.now();
    const base = now + 7 * 86_400_000;
    await t.app.store.transaction(async (tx) => {
      for (let i = 0; i < BOOKINGS; i++) {
        const startMs = base + i * 600_000;
        const slot = {
          id: `reload-${i}`,
          facility: FACILITY,
          start: { ts: instantToTs(startMs), utcMs: startMs },
          end: { ts: instantToTs(startMs + 600_000), utcMs: startMs + 600_000 },
          timeTypeId: 'TT-LAK',
        };
        await tx.upsertTimeslot(slot);
        const booking: Booking = {
          id: `b-${String(i).padStart(5, '0')}`,
          facility: FACILITY,
          subjectOfCare: PATIENT,
          patient: { firstName: 'Tolvan', lastName: 'Tolvansson' },
          isInvitation: false,
          slotId: slot.id,
          start: slot.start,
          end: slot.end,
          timeTypeId: 'TT-LAK',
          status: 'active',
          createdAt: now,
          updatedAt: now,
          version: 1,
        };
        await tx.insertBooking(booking);
      }
      // Neither a passed booking nor an expired invitation is current.
      await tx.insertBooking({
        id: 'passed',
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: { firstName: 'Tolvan', lastName: 'Tolvansson' },
        isInvitation: true,
        timeTypeId: 'TT-LAK',
        purpose: 'Gammal kallelse',
        expiresOn: '20200101',
        status: 'active',
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
    });
    await t.drained();
    const mark = t.ei.calls.length;

    const out: string[] = [];
    const code = await runCli(
      ['ei', 'reload', '--facility', FACILITY.toUpperCase(), '--json'],
      commands,
      {
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        env: {
          TIDBOK_DB: join(dir, 'tidbok.db'),
          EI_SOURCE_SYSTEM: TEST_EI_CONFIG.sourceSystem,
          EI_DATA_CONTROLLER: TEST_EI_CONFIG.dataController,
        },
      },
    );
    assert.equal(code, 0, out.join('\n'));
    assert.deepEqual(JSON.parse(out[0]!), {
      facility: FACILITY,
      queued: 'upsert',
      engagements: BOOKINGS,
      transactions: 2,
    });

    t.app.dispatchers.get('engagement-index')!.notify();
    await t.drained(30_000);
    const calls = t.ei.calls.slice(mark);
    assert.ok(calls.length >= 2, `${calls.length} calls`);
    assert.ok(calls.every((c) => c.transactions.length <= 1000));
    const received = receivedSince(t.ei, mark);
    const ids = received.map((r) => r.engagement.businessObjectInstanceIdentifier).sort();
    assert.equal(ids.length, BOOKINGS);
    assert.equal(new Set(ids).size, BOOKINGS);
    assert.ok(!ids.includes('passed'));
    assert.ok(received.every((r) => !r.deleteFlag && r.engagement.logicalAddress === FACILITY));
    assert.equal(t.ei.findContent(PATIENT).length, BOOKINGS);
  });
});
