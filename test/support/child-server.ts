/**
 * The producer as operators run it: `node --import tsx src/main.ts` in a
 * child process, on a file-backed store. Its stdout (the JSON log) is copied
 * to `TIDBOK_TEST_LOG_DIR` when the test runner set it, so the suite-wide
 * person-id check reads it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

export interface ChildServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the child wrote to stdout so far. */
  readonly output: () => string;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  readonly exited: Promise<number | string>;
}

export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      TIDBOK_PLAIN_HTTP: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const logDir = process.env['TIDBOK_TEST_LOG_DIR'];
  if (logDir) child.stdout.pipe(createWriteStream(join(logDir, `child-${child.pid}.log`)));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /is serving crm:scheduling 1\.1 on (http\S+)/.exec(out);
      if (match) {
        child.stdout.off('data', check);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) =>
      reject(new Error(`the server exited (${code}) before serving: ${err}`)),
    );
  });
  return { child, url, output: () => out, exited };
}
