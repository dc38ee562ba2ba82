/**
 * One instance's outbox dispatcher in a process of its own, for the test
 * that kills an instance mid-dispatch: the `engagement-index` channel to the
 * EI simulator, on the PostgreSQL outbox. Prints `dispatching` once started.
 *
 * Environment: TIDBOK_TEST_STORE_URL (postgres://…), TIDBOK_TEST_EI_URL,
 * TIDBOK_TEST_LEASE_MS (claim lease), TIDBOK_TEST_OWNER (claim owner id).
 *
 * Run: node --import tsx test/support/dispatcher-process.ts
 */
import { EngagementIndexChannel } from '../../src/channels/engagement-index/engagement-index-channel.ts';
import { OutboxDispatcher } from '../../src/outbox/outbox-dispatcher.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import { PostgresOutboxStore } from '../../src/store/postgres/postgres-outbox-store.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`dispatcher-process needs ${name}`);
  return value;
};

const store = openPostgresStore(env('TIDBOK_TEST_STORE_URL'), { maxConnections: 2 });
await store.ready();
const channel = new EngagementIndexChannel(
  {
    url: env('TIDBOK_TEST_EI_URL'),
    logicalAddress: '5565594230',
    sourceSystem: 'SE2321000016-TIDB',
    dataController: 'SE2321000016',
    // Long: the test kills this process while a call hangs, before it could time out.
    timeoutMs: 600_000,
    batchSize: 1000,
  },
  { keyGapMs: 0 },
);
const dispatcher = new OutboxDispatcher({
  store: new PostgresOutboxStore(store),
  channel,
  leaseMs: Number(env('TIDBOK_TEST_LEASE_MS')),
  pollIntervalMs: 20,
  owner: env('TIDBOK_TEST_OWNER'),
});
dispatcher.start();
process.stdout.write('dispatching\n');
process.once('SIGTERM', () => {
  void dispatcher
    .stop()
    .then(() => channel.close())
    .then(() => store.close())
    .then(() => process.exit(0));
});
