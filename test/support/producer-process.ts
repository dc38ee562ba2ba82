/**
 * The real producer (`src/main.ts`) as a child process on a SQLite file, for
 * tests that kill it (SIGKILL between commit and delivery) and start it
 * again on the same file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface Producer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
  /** Everything it wrote so far, stdout and stderr together. */
  readonly output: () => string;
}

/**
 * Starts `src/main.ts` as `npm start` would, on the given database, with
 * `env` on top of this process's environment, and waits for its URL.
 */
export async function startProducer(
  databasePath: string,
  env: Readonly<Record<string, string>>,
  /** How long it may take to serve (ms): a pool of workers starts each one as a process. */
  startTimeoutMs = 30_000,
): Promise<Producer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: databasePath,
      TIDBOK_SEED: 'none',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The test runner searches every log it is given for person ids in clear.
  const logDir = process.env['TIDBOK_TEST_LOG_DIR'];
  if (logDir) child.stdout!.pipe(createWriteStream(join(logDir, `producer-${child.pid}.log`)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`producer did not start:\n${output}`)),
      startTimeoutMs,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /serving crm:scheduling 1\.1 on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`producer exited with ${code}:\n${output}`));
    });
  });
  return { child, url, exited, output: () => output };
}

/** Sends `signal` to a producer that still runs, and waits for it to exit. */
export async function killProducer(producer: Producer, signal: NodeJS.Signals): Promise<void> {
  if (producer.child.exitCode === null && producer.child.signalCode === null)
    producer.child.kill(signal);
  await producer.exited;
}

/** One channel's outbox rows as the database file holds them, read without the store (no migration, no lock). */
export function outboxRows(
  path: string,
  channel: string,
): { status: string; attempts: number; receipt: string | null }[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT status, attempts, receipt FROM outbox WHERE channel = ? ORDER BY id')
      .all(channel) as { status: string; attempts: number; receipt: string | null }[];
  } finally {
    db.close();
  }
}
