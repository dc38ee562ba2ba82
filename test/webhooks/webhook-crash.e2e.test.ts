/**
 * Durability across a crash: a subscription made with `tidbok webhook add`,
 * the real producer (`src/main.ts`) as a child process on a SQLite file,
 * killed with SIGKILL after a booking committed and while its webhook was in
 * flight, then started again on the same file. The webhook still arrives,
 * with the same `webhook-id`, signed with the secret the CLI printed (the
 * key file beside the store was found again), and without a personnummer.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  startWebhookReceiver,
  type WebhookReceiverSimulator,
} from '../../src/dev/webhook-receiver-simulator.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { waitFor } from '../support/ei-checks.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { seedTestCalendar, type SeededCalendar } from '../support/test-calendar.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

const env = (databasePath: string) => ({
  DATABASE_URL: databasePath,
  TIDBOK_SEED: 'none',
  WEBHOOK_ALLOW_LOOPBACK: 'true',
  WEBHOOK_RETRY_DELAYS: '0.5s,0.5s,0.5s',
  // A dead process's claim lapses after 6 s (a live one gives up a call after 5 s).
  WEBHOOK_LEASE_MS: '6000',
});

async function kill(producer: ChildServer, signal: NodeJS.Signals): Promise<void> {
  if (producer.child.exitCode === null && producer.child.signalCode === null)
    producer.child.kill(signal);
  await producer.exited;
}

describe(
  'a producer killed with a webhook in flight',
  { skip: skipWithoutNationalContracts },
  () => {
    let dir: string;
    let databasePath: string;
    let calendar: SeededCalendar;
    let receiver: WebhookReceiverSimulator;
    const producers: ChildServer[] = [];

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tidbok-webhook-crash-'));
      databasePath = join(dir, 'tidbok.db');
      const store = openSqliteStore(databasePath);
      calendar = await seedTestCalendar(store);
      await store.close();
      receiver = await startWebhookReceiver();
    });

    afterEach(async () => {
      for (const p of producers.splice(0)) await kill(p, 'SIGKILL');
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('delivers the webhook after a restart, with the same id and signature key', async () => {
      const added = await run(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'webhook', 'add', '--url', receiver.url, '--json'],
        { cwd: repoRoot, env: { ...process.env, ...env(databasePath) } },
      );
      const { id, secret } = JSON.parse(added.stdout) as { id: string; secret: string };
      assert.match(id, /^wh_/);
      receiver.useSecrets([secret]);
      receiver.answerNext('hang');

      const first = await startChildServer(env(databasePath));
      producers.push(first);
      await soapMakeBooking(first.url, calendar.doctorSlots[0]!);
      await waitFor('the webhook in flight at the receiver', () => receiver.received.length === 1);
      await kill(first, 'SIGKILL');

      const second = await startChildServer(env(databasePath));
      producers.push(second);
      await waitFor('the webhook delivered', () => receiver.received.length === 2, 30_000);

      const [stuck, resent] = receiver.received;
      assert.equal(stuck!.answer, 'hang');
      assert.equal(resent!.answer, 204);
      assert.equal(resent!.verified, true);
      assert.equal(resent!.headers['webhook-id'], stuck!.headers['webhook-id']);
      assert.equal(resent!.body, stuck!.body);
      const event = new Webhook(secret).verify(
        resent!.body,
        resent!.headers as Record<string, string>,
      ) as { type: string };
      assert.equal(event.type, 'booking.created');
      for (const got of receiver.received) assert.doesNotMatch(got.body, /19121212|Tolvan/);
      await kill(second, 'SIGTERM');
    });
  },
);
