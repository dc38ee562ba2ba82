/**
 * Issue 19 item 3: an EI reload racing with a cancellation. The reload reads
 * a booking as active; the cancellation commits (queuing its delete) before
 * the reload queues its upsert. The reload must not leave that stale upsert
 * as the booking's last message, or EI would show a cancelled booking for
 * good. On PostgreSQL the race is forced: the cancellation commits right
 * after the reload's read. SQLite runs transactions one at a time, so there
 * the two run side by side and the test checks the same outcome.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { configOf } from '../../src/channels/channel-module.ts';
import { engagementIndex } from '../../src/channels/engagement-index/index.ts';
import { reloadEngagementIndex } from '../../src/channels/engagement-index/engagement-reload.ts';
import type { EngagementTransaction } from '../../src/channels/engagement-index/engagement-mapping.ts';
import { createServices } from '../../src/services.ts';
import type { CalendarStore, StoreTx } from '../../src/store/calendar-store.ts';
import { createStore } from '../../src/store/create-store.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { testEiChannel } from '../support/test-app.ts';
import { bookingOfSlot, FACILITY, seedTestCalendar } from '../support/test-calendar.ts';

/** A member of `target`, methods bound to it (the stores keep #private state). */
function bound(target: object, name: string | symbol, receiver: unknown): unknown {
  const value = Reflect.get(target, name, receiver) as unknown;
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}

/**
 * `store`, whose transactions stop right after their first read of
 * `bookingId` until `proceed` resolves; `read` resolves when that happens.
 */
function pausingAfterRead(store: CalendarStore, bookingId: string, proceed: Promise<void>) {
  let paused = false;
  let onRead = () => {};
  const read = new Promise<void>((resolve) => (onRead = resolve));
  const wrapTx = (tx: StoreTx): StoreTx =>
    new Proxy(tx, {
      get(target, name, receiver) {
        if (name !== 'getBooking') return bound(target, name, receiver);
        return async (id: string) => {
          const booking = await target.getBooking(id);
          if (id === bookingId && !paused) {
            paused = true;
            onRead();
            await proceed;
          }
          return booking;
        };
      },
    });
  const racing = new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'transaction') return bound(target, name, receiver);
      return <T>(fn: (tx: StoreTx) => Promise<T>) => target.transaction((tx) => fn(wrapTx(tx)));
    },
  });
  return { racing, read };
}

async function reloadRacingACancellation(url: string): Promise<void> {
  const store = createStore(url);
  try {
    const calendar = await seedTestCalendar(store, Date.now());
    const channel = testEiChannel();
    const { service } = createServices({ store, channels: [channel] });
    const slot = calendar.doctorSlots[0]!;
    const made = await service.makeBooking(bookingOfSlot(slot, 'staff'));
    assert.ok(made.ok);
    const bookingId = made.value.id;

    const config = configOf([channel], engagementIndex)!;
    const cancel = async () => {
      const cancelled = await service.cancel({ bookingId, facility: FACILITY, origin: 'staff' });
      assert.ok(cancelled.ok);
    };
    if (store.capabilities.supportsSeveralProcesses) {
      // Commit the cancellation between the reload's read and its queuing.
      let proceed = () => {};
      const { racing, read } = pausingAfterRead(
        store,
        bookingId,
        new Promise<void>((resolve) => (proceed = resolve)),
      );
      const reload = reloadEngagementIndex(racing, FACILITY, config);
      await read;
      await cancel();
      proceed();
      await reload;
    } else {
      // One transaction at a time: the two can only run side by side.
      await Promise.all([reloadEngagementIndex(store, FACILITY, config), cancel()]);
    }

    const steps = (await store.listOutbox())
      .filter(
        (m) =>
          (m.payload as EngagementTransaction).engagement.businessObjectInstanceIdentifier ===
          bookingId,
      )
      .map((m) => ((m.payload as EngagementTransaction).deleteFlag ? 'delete' : 'upsert'));
    assert.equal(steps.at(-1), 'delete', `the booking's last EI message: ${steps.join(', ')}`);
    assert.equal((await store.getBooking(bookingId))?.status, 'cancelled');
  } finally {
    await store.close();
  }
}

describe('EI reload racing a cancellation (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidbok-reload-race-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('never queues the stale upsert after the delete', async () => {
    await reloadRacingACancellation(join(dir, 'race.db'));
  });
});

describePostgres('EI reload racing a cancellation (PostgreSQL)', (serverUrl) => {
  it('never queues the stale upsert after the delete', async () => {
    await reloadRacingACancellation(await freshSchemaUrl(serverUrl));
  });
});
