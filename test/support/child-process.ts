/** Starts a TypeScript entry script in a child process and waits for its first line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunningChild {
  readonly child: ChildProcess;
  /** The first line the child printed. */
  readonly firstLine: string;
  /** Everything it wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs `script` (a path relative to this folder) with tsx and `env` added
 * to this process's environment; resolves once it has printed a line.
 */
export function startChild(script: string, env: Record<string, string>): Promise<RunningChild> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end < 0) return;
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolve({ child, firstLine: out.slice(0, end), stderr: () => err, stop });
    };
    const onExit = (code: number | null) =>
      reject(new Error(`${script} exited (${code}) before it was ready:\n${err}`));
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
}
