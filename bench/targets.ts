/**
 * The servers the workloads run against, each in a process of its own so
 * that the load generator (in the runner's process) competes with the
 * server's event loop for a core as little as possible.
 *
 * To benchmark another server (tidbok on PostgreSQL, say), add a row here and
 * name it in the workloads' `targets`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromChild, ToChild } from './servers/child-protocol.ts';

export interface TargetDef {
  /** Short name, used in tables and in workloads' `targets`. */
  readonly name: string;
  /** One line for the report. */
  readonly description: string;
  /** The server's entry point under bench/servers/. */
  readonly script: string;
  /** Extra environment (LOG_LEVEL, a database URL, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Answers a prebuilt response set by {@link RunningTarget.respondWith} (the raw ceiling). */
  readonly prebuilt?: boolean;
}

export const TARGETS = {
  tidbok: {
    name: 'tidbok',
    description: 'tidbok as shipped (createApp), SQLite file store, pino logging at info to a file',
    script: 'tidbok-server.ts',
    env: { LOG_LEVEL: 'info' },
  },
  'tidbok-quiet': {
    name: 'tidbok (log warn)',
    description: 'the same with LOG_LEVEL=warn: what the per-request log line costs',
    script: 'tidbok-server.ts',
    env: { LOG_LEVEL: 'warn' },
  },
  'node-soap': {
    name: 'node-soap',
    description:
      'the `soap` package (node-soap) on a variant WSDL, calling the same operation handlers on the same store',
    script: 'node-soap-server.ts',
  },
  ceiling: {
    name: 'raw ceiling',
    description: "bare node:http answering tidbok's own response for the workload, prebuilt",
    script: 'raw-server.ts',
    prebuilt: true,
  },
} as const satisfies Record<string, TargetDef>;

export type TargetKey = keyof typeof TARGETS;

export interface RunningTarget {
  readonly key: TargetKey;
  readonly def: TargetDef;
  readonly url: string;
  readonly pid: number;
  /** For a prebuilt target: answer every request with this from now on. */
  respondWith(status: number, body: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The seeded SQLite file; each target gets its own copy, so writes in one do not show in another. */
  readonly seedFile: string;
  readonly workDir: string;
  /** Write a V8 CPU profile of the server to this directory. */
  readonly profileDir?: string;
  /** More environment for the server, over the target's own (e.g. BENCH_STORE_URL for PostgreSQL). */
  readonly env?: Readonly<Record<string, string>>;
}

const serversDir = fileURLToPath(new URL('./servers/', import.meta.url));

function nextMessage(child: ChildProcess, type: FromChild['type']): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromChild) => {
      if (message.type === 'failed') reject(new Error(message.message));
      else if (message.type === type) resolve();
      else return;
      child.off('message', onMessage);
    };
    child.on('message', onMessage);
  });
}

export async function startTarget(key: TargetKey, options: StartOptions): Promise<RunningTarget> {
  const def: TargetDef = TARGETS[key];
  const dir = join(options.workDir, key);
  mkdirSync(dir, { recursive: true });
  const store = join(dir, 'calendar.db');
  copyFileSync(options.seedFile, store);
  // The server logs to stdout as in production; the file keeps it off the runner's pipe.
  const log = openSync(join(dir, 'stdout.log'), 'a');
  const child = fork(join(serversDir, def.script), {
    execArgv: [
      '--import',
      'tsx',
      ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
    ],
    env: { ...process.env, ...def.env, ...options.env, BENCH_STORE: store },
    stdio: ['ignore', log, 'inherit', 'ipc'],
  });
  let url = '';
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: FromChild) => {
      child.off('message', onMessage);
      if (message.type === 'ready') {
        url = message.url;
        resolve();
      } else reject(new Error(`${def.name} did not start: ${JSON.stringify(message)}`));
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${def.name} exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    key,
    def,
    url,
    pid: child.pid!,
    async respondWith(status, body) {
      const ack = nextMessage(child, 'responding');
      child.send({ type: 'respond', status, body } satisfies ToChild);
      await ack;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' } satisfies ToChild);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
