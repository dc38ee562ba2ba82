/**
 * Another connection to the SQLite file (`tidbok import`, a second process)
 * holds the write lock past the busy timeout: a booking is answered with a
 * Server fault a caller can read, counted in `/metrics`, and tried once more
 * first, since nothing was written (issue 19, item 11).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { callMakeBooking } from '../support/booking-calls.ts';
import { assertFault } from '../support/soap-client.ts';
import { PATIENT } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const BUSY_TIMEOUT_MS = 300;
const dir = mkdtempSync(join(tmpdir(), 'tidbok-write-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Holds the file's write lock from another thread (its own connection) for
 * `ms`: a thread, because better-sqlite3 waits for a lock synchronously and
 * would stop a timer in this one.
 */
async function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const Database = require('better-sqlite3');
     const db = new Database(workerData.file);
     db.exec('BEGIN IMMEDIATE');
     parentPort.postMessage('locked');
     setTimeout(() => { db.exec('ROLLBACK'); db.close(); process.exit(0); }, workerData.ms);`,
    { eval: true, workerData: { file, ms } },
  );
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return { released: new Promise((resolve) => worker.once('exit', () => resolve())) };
}

async function busyCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('tidbok_store_unavailable_total{reason="busy"}'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('MakeBooking while another connection holds the SQLite write lock', () => {
  let t: TestApp;
  let n = 0;
  const start = async () => {
    n += 1;
    const file = join(dir, `run-${n}`, 'calendar.db');
    t = await startTestApp({ store: openSqliteStore(file, { busyTimeoutMs: BUSY_TIMEOUT_MS }) });
    return file;
  };
  afterEach(async () => {
    await t.close();
  });

  const book = () => callMakeBooking(t.url, t.calendar.doctorSlots[0]!, PATIENT);

  void it('answers a Server fault that says the database is busy, counts it, and books nothing', async () => {
    const file = await start();
    const lock = await holdWriteLock(file, BUSY_TIMEOUT_MS * 10);
    const answer = await book();
    assertFault(answer, 'Server', /busy/);
    await lock.released;
    assert.equal(await busyCount(t.url), 2, 'the first try and the one retry were both refused');
    const slot = t.calendar.doctorSlots[0]!;
    assert.equal(await t.app.store.findActiveBookingOnSlot(slot.id), undefined, 'nothing booked');
  });

  void it('tries once more, and books, when the lock is released after the first wait', async () => {
    const file = await start();
    // Released after the first wait has given up, within the second one.
    await holdWriteLock(file, BUSY_TIMEOUT_MS * 1.5);
    const answer = await book();
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.response?.resultCode, 'OK', answer.response?.resultText);
    assert.equal(await busyCount(t.url), 1, 'the first try was refused');
  });
});
