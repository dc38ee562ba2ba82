/**
 * The primary of `TIDBOK_WORKERS=N`: forks N workers (node:cluster) that
 * listen on the same ports, each a whole producer on the same store, and
 * keeps them running. The primary serves nothing itself; the cluster module
 * hands each new connection to the next worker in turn (round-robin).
 *
 * - A worker reports ready once it listens ({@link reportWorkerReady}); the
 *   pool is up when every worker has.
 * - A worker that dies afterwards is replaced by one with the same index
 *   (index 0 runs housekeeping), after a pause that grows while replacements
 *   keep dying, so a crash loop does not spin.
 * - `stop` forwards the signal to every worker, which drains as a single
 *   process does, and resolves with 0 when every worker exited 0.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logging/logger.ts';

/** What a worker sends the primary once it serves. */
interface ReadyMessage {
  readonly type: 'tidbok:worker-ready';
  /** The worker's start-up banner; the primary prints the first one. */
  readonly banner: string;
}

const isReady = (message: unknown): message is ReadyMessage =>
  typeof message === 'object' &&
  message !== null &&
  (message as { type?: unknown }).type === 'tidbok:worker-ready';

/** In a worker: tells the primary it listens. */
export function reportWorkerReady(banner: string): void {
  const message: ReadyMessage = { type: 'tidbok:worker-ready', banner };
  process.send?.(message);
}

export interface WorkerPoolOptions {
  readonly count: number;
  /** Variables added to a worker's environment (its index, shared secrets). */
  readonly env: (index: number) => Record<string, string>;
  readonly logger: Logger;
  /** Pause before replacing a dead worker (ms, default 1000); doubled per early death, at most 30 s. */
  readonly restartDelayMs?: number;
  /** How long `stop` waits for the workers before killing them (ms). */
  readonly stopTimeoutMs: number;
}

/** A replacement that lived this long is healthy again: the next pause starts from the first. */
const STABLE_MS = 30_000;

export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #workers = new Map<number, Worker>();
  #stopping = false;
  #restarts = 0;
  readonly #pending = new Set<NodeJS.Timeout>();

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** The live workers' process ids, by index. */
  get pids(): number[] {
    return [...this.#workers.values()].map((w) => w.process.pid ?? -1);
  }

  /**
   * Forks every worker and resolves with their banners once all serve;
   * rejects (after stopping the others) when one exits before it is ready,
   * as a worker with a bad store or a taken port does.
   */
  async start(): Promise<string[]> {
    const ready = Array.from({ length: this.#options.count }, (_, index) =>
      this.#fork(index, false),
    );
    try {
      return await Promise.all(ready);
    } catch (error) {
      await this.stop('SIGTERM');
      throw error;
    }
  }

  /** Forwards `signal` to every worker and waits for all to exit; 0 when every one exited 0. */
  async stop(signal: NodeJS.Signals): Promise<number> {
    this.#stopping = true;
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
    const workers = [...this.#workers.values()];
    const codes = workers.map(
      (worker) =>
        new Promise<number>((resolve) => {
          if (worker.isDead()) return resolve(worker.process.exitCode ?? 1);
          worker.once('exit', (code: number | null) => resolve(code ?? 1));
        }),
    );
    for (const worker of workers) if (!worker.isDead()) worker.process.kill(signal);
    const killer = setTimeout(() => {
      this.#options.logger.warn({ pids: this.pids }, 'workers did not stop in time; killing them');
      for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, this.#options.stopTimeoutMs);
    const exits = await Promise.all(codes);
    clearTimeout(killer);
    return exits.every((code) => code === 0) ? 0 : 1;
  }

  /** Forks the worker at `index`; resolves with its banner when it reports ready. */
  #fork(index: number, replacement: boolean): Promise<string> {
    const { logger } = this.#options;
    const worker = cluster.fork(this.#options.env(index));
    const startedAt = Date.now();
    this.#workers.set(index, worker);
    return new Promise<string>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: unknown) => {
        if (!isReady(message) || ready) return;
        ready = true;
        if (replacement) logger.info({ worker: index, pid: worker.process.pid }, 'worker replaced');
        resolve(message.banner);
      });
      worker.once('exit', (code: number | null, signal: string | null) => {
        if (this.#workers.get(index) === worker) this.#workers.delete(index);
        if (this.#stopping) return;
        if (!ready && !replacement) {
          reject(new Error(`worker ${index} exited (${signal ?? code}) before it served`));
          return;
        }
        if (Date.now() - startedAt > STABLE_MS) this.#restarts = 0;
        const delay = Math.min(
          (this.#options.restartDelayMs ?? 1000) * 2 ** this.#restarts,
          30_000,
        );
        this.#restarts += 1;
        logger.error(
          { worker: index, pid: worker.process.pid, code, signal, restartInMs: delay },
          'worker exited; starting another',
        );
        const timer = setTimeout(() => {
          this.#pending.delete(timer);
          // A replacement that fails to start is replaced in turn, after a longer pause.
          this.#fork(index, true).catch(() => undefined);
        }, delay);
        this.#pending.add(timer);
      });
    });
  }
}
