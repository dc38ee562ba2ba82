/**
 * Benchmark: drain 10,000 queued engagement-index events to the EI
 * simulator (issue 3: at least 2,000 events/s on a 2-core machine).
 *
 * The events are appended to the outbox of a file-backed SQLite store, one
 * per key, with realistic Update payloads (10,000 bookings spread over three
 * units), then one dispatcher drains them through the real channel (SOAP
 * over HTTP, batches of up to 1000) to a simulator that decodes and checks
 * every call as EI does. The clock runs from the first claim until the
 * outbox is empty.
 *
 * Run alone: `node --import tsx bench/ei-drain.ts [--events N] [--sim process]`;
 * prints a markdown table row. `--sim process` runs the simulator in a child
 * process, so it does not share the dispatcher's event loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEiSimulator } from '../src/dev/ei-simulator.ts';
import { EngagementIndexChannel } from '../src/channels/engagement-index/engagement-index-channel.ts';
import {
  EI_CHANNEL,
  engagementKey,
  type EngagementTransaction,
} from '../src/channels/engagement-index/engagement-mapping.ts';
import { OutboxDispatcher } from '../src/outbox/outbox-dispatcher.ts';
import type { NewOutboxMessage } from '../src/store/calendar-store.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-calendar-store.ts';
import { SqliteOutboxStore } from '../src/store/sqlite/sqlite-outbox-store.ts';

export interface EiDrainOptions {
  /** Events to queue and drain; 10,000 by default. */
  readonly events?: number;
  /** Where the EI simulator runs: in this process (default) or a child process. */
  readonly sim?: 'in-process' | 'process';
}

export interface EiDrainResult {
  readonly events: number;
  readonly sim: 'in-process' | 'process';
  readonly updateCalls: number;
  readonly largestCall: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

const UNITS = ['SE2321000016-1hz5', 'SE2321000016-7p3k', 'SE2321000016-3mx8'];

/** One booking's create, as the EI listener would queue it. */
function bookingEvent(i: number): NewOutboxMessage {
  const day = String(1 + (i % 28)).padStart(2, '0');
  const minute = String(i % 60).padStart(2, '0');
  const transaction: EngagementTransaction = {
    deleteFlag: false,
    engagement: {
      registeredResidentIdentification: `19${String(i).padStart(10, '0')}`,
      serviceDomain: 'riv:crm:scheduling',
      categorization: i % 10 === 0 ? 'Invitation' : 'Booking',
      logicalAddress: UNITS[i % UNITS.length]!,
      businessObjectInstanceIdentifier: randomUUID(),
      clinicalProcessInterestId: 'NA',
      mostRecentContent: `202606${day}10${minute}00`,
      sourceSystem: 'SE2321000016-TIDB',
      dataController: 'SE2321000016-PUA1',
    },
  };
  return { channel: EI_CHANNEL, key: engagementKey(transaction.engagement), payload: transaction };
}

interface SimHandle {
  readonly url: string;
  /** Update calls received and the largest one's engagement count. */
  counts(): Promise<{ calls: number; largest: number; accepted: number }>;
  close(): Promise<void>;
}

async function inProcessSim(): Promise<SimHandle> {
  const sim = await startEiSimulator();
  return {
    url: sim.url,
    counts: async () => ({
      calls: sim.calls.length,
      largest: Math.max(0, ...sim.calls.map((c) => c.transactions.length)),
      accepted: sim.engagements().length,
    }),
    close: () => sim.close(),
  };
}

async function childSim(): Promise<SimHandle> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve-sim'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(message: unknown) =>
    new Promise<T>((resolve) => {
      child.once('message', (answer) => resolve(answer as T));
      child.send(message as object);
    });
  const { url } = await new Promise<{ url: string }>((resolve) =>
    child.once('message', (m) => resolve(m as { url: string })),
  );
  return {
    url,
    counts: () => ask({ kind: 'counts' }),
    close: async () => {
      await ask({ kind: 'close' });
      child.disconnect();
    },
  };
}

/** The child side of `--sim process`: a simulator answering count requests over IPC. */
async function serveSim(): Promise<void> {
  const sim = await startEiSimulator();
  process.send!({ url: sim.url });
  process.on('message', (m: { kind: string }) => {
    if (m.kind === 'counts')
      process.send!({
        calls: sim.calls.length,
        largest: Math.max(0, ...sim.calls.map((c) => c.transactions.length)),
        accepted: sim.engagements().length,
      });
    else void sim.close().then(() => process.send!({ closed: true }));
  });
}

export async function runEiDrain(options: EiDrainOptions = {}): Promise<EiDrainResult> {
  const events = options.events ?? 10_000;
  const simKind = options.sim ?? 'in-process';
  const dir = mkdtempSync(join(tmpdir(), 'tidbok-ei-drain-'));
  const store = openSqliteStore(join(dir, 'tidbok.db'));
  const sim = simKind === 'process' ? await childSim() : await inProcessSim();
  const channel = new EngagementIndexChannel({
    url: sim.url,
    logicalAddress: '5565594230',
    sourceSystem: 'SE2321000016-TIDB',
    dataController: 'SE2321000016-PUA1',
    timeoutMs: 30_000,
    batchSize: 1000,
  });
  try {
    // Queued as bookings would queue them, a thousand commits' worth per transaction to save time.
    for (let from = 0; from < events; from += 1000) {
      const batch: NewOutboxMessage[] = [];
      for (let i = from; i < Math.min(events, from + 1000); i++) batch.push(bookingEvent(i));
      await store.transaction((tx) => tx.appendOutbox(batch));
    }
    const outbox = new SqliteOutboxStore(store);
    const dispatcher = new OutboxDispatcher({ store: outbox, channel });

    const started = process.hrtime.bigint();
    // What the dispatcher's loop does while there is work: claim, deliver, settle, again.
    while ((await dispatcher.drainOnce()) > 0);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const status = await outbox.status(EI_CHANNEL);
    const counts = await sim.counts();
    if (status.pending !== 0 || status.inFlight !== 0 || status.dead.length !== 0)
      throw new Error(`outbox not drained: ${JSON.stringify(status)}`);
    if (counts.accepted !== events)
      throw new Error(`EI holds ${counts.accepted} engagements, expected ${events}`);
    return {
      events,
      sim: simKind,
      updateCalls: counts.calls,
      largestCall: counts.largest,
      seconds,
      eventsPerSecond: events / seconds,
    };
  } finally {
    channel.close();
    await sim.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const EI_DRAIN_HEADER =
  '| benchmark | events | EI simulator | Update calls | largest call | seconds | events/s | target |\n' +
  '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |';

export function eiDrainRow(r: EiDrainResult): string {
  return `| EI outbox drain | ${r.events} | ${r.sim} | ${r.updateCalls} | ${r.largestCall} | ${r.seconds.toFixed(2)} | ${Math.round(r.eventsPerSecond)} | ≥ 2000 |`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      sim: { type: 'string' },
      'serve-sim': { type: 'boolean' },
      header: { type: 'boolean' },
    },
  });
  if (values['serve-sim']) await serveSim();
  else {
    const result = await runEiDrain({
      ...(values.events ? { events: Number(values.events) } : {}),
      ...(values.sim === 'process' ? { sim: 'process' as const } : {}),
    });
    if (values.header) console.log(EI_DRAIN_HEADER);
    console.log(eiDrainRow(result));
  }
}
