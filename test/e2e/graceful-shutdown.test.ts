import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetAvailableTimeslots, MakeBooking } from '../../src/contracts/scheduling.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import {
  availableTimeslotsRequest,
  bookingOutcome,
  decodeSlots,
  makeBookingRequest,
  patient,
  post,
  type Slot,
} from '../support/demo-traffic.ts';

interface Sent {
  readonly kind: 'search' | 'booking';
  readonly startedAt: number;
  endedAt?: number;
  status?: number;
  connectionClose?: boolean;
  error?: string;
  bookingId?: string;
}

describe('SIGTERM under load', () => {
  let dir: string;
  let server: ChildServer;
  const sent: Sent[] = [];
  let sigtermAt = 0;
  let exitCode: number | string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-shutdown-'));
    server = await startChildServer({ TIDBOK_DB: join(dir, 'tidbok.db'), LOG_LEVEL: 'info' });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const first = await post(
      agent,
      server.url + GetAvailableTimeslots.path,
      availableTimeslotsRequest(patient(0)),
    );
    const slots: Slot[] = decodeSlots(first.text);
    assert.ok(slots.length > 100, `the demo calendar has free slots (${slots.length})`);
    let nextSlot = 0;
    let nextPatient = 1;

    async function worker(w: number) {
      for (let i = 0; ; i++) {
        const slot = i % 2 === 0 && nextSlot < slots.length ? slots[nextSlot++] : undefined;
        const kind = slot ? 'booking' : 'search';
        const body = slot
          ? makeBookingRequest(slot, patient(nextPatient++))
          : availableTimeslotsRequest(patient(w + 5000), 7);
        const path = slot ? MakeBooking.path : GetAvailableTimeslots.path;
        const record: Sent = { kind, startedAt: performance.now() };
        sent.push(record);
        try {
          const answer = await post(agent, server.url + path, body);
          record.status = answer.status;
          record.connectionClose = answer.headers['connection'] === 'close';
          if (slot && answer.status === 200) {
            const outcome = bookingOutcome(answer.text);
            if (outcome.resultCode === 'OK') record.bookingId = outcome.bookingId!;
          }
        } catch (err) {
          record.error = (err as NodeJS.ErrnoException).code ?? String(err);
          return;
        } finally {
          record.endedAt = performance.now();
        }
      }
    }

    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    while (sent.filter((s) => s.endedAt !== undefined).length < 400)
      await new Promise((r) => setTimeout(r, 10));
    sigtermAt = performance.now();
    server.child.kill('SIGTERM');
    await Promise.all(workers);
    exitCode = await server.exited;
    agent.destroy();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits cleanly', () => assert.equal(exitCode, 0, server.output().slice(-2000)));

  it('answers every request in full, or refuses the connection of one started after SIGTERM', () => {
    const errors = sent.filter((s) => s.error !== undefined);
    for (const s of errors) {
      assert.equal(s.error, 'ECONNREFUSED', `a ${s.kind} request failed with ${s.error}`);
      assert.ok(s.startedAt >= sigtermAt, 'refused only after SIGTERM');
    }
    for (const s of sent.filter((s) => s.error === undefined))
      assert.equal(s.status, 200, `a ${s.kind} request got HTTP ${s.status}`);
    assert.equal(errors.length, 16, 'each worker ends on a refused connection');
  });

  it('finished requests that were in flight when SIGTERM came, telling the client to close', () => {
    const inFlight = sent.filter(
      (s) => s.startedAt < sigtermAt && s.endedAt! > sigtermAt && s.error === undefined,
    );
    assert.ok(inFlight.length > 0, 'some requests were in flight at SIGTERM');
    // Keep-alive clients are told to go: only shutdown answers say Connection: close.
    const told = sent.filter((s) => s.connectionClose);
    assert.ok(told.length > 0, 'answers during shutdown carry Connection: close');
    assert.ok(told.every((s) => s.endedAt! > sigtermAt));
  });

  it('kept every confirmed booking, each with its engagement index outbox message', async () => {
    const confirmed = sent.filter((s) => s.bookingId !== undefined).map((s) => s.bookingId!);
    assert.ok(confirmed.length > 50, `bookings were confirmed (${confirmed.length})`);
    const store = openSqliteStore(join(dir, 'tidbok.db'));
    try {
      const outbox = JSON.stringify(await store.listOutbox({ limit: 1_000_000 }));
      for (const id of confirmed) {
        const booking = await store.getBooking(id);
        assert.ok(booking, `booking ${id} is in the database`);
        assert.ok(outbox.includes(id), `booking ${id} has its outbox message`);
      }
    } finally {
      await store.close();
    }
  });
});
