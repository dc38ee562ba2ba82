/**
 * One read shared by every caller that asked while it could still answer
 * them: each caller gets the result of a read that *began after it called*,
 * and callers that arrive together share one.
 *
 * Why: a PostgreSQL instance reads the calendar version once per request,
 * so that a write committed by any instance before the request arrived is
 * seen (docs/postgresql.md). Under load that is one round trip per request.
 * A read already on its way began before a new caller arrived and may miss a
 * commit the caller must see, so that caller waits for the next read, which
 * starts as soon as the current one ends and serves everyone who arrived
 * meanwhile. The guarantee per caller is unchanged; the number of reads
 * drops from one per request to at most one per round trip.
 */
export class FreshRead<T> {
  readonly #read: () => Promise<T>;
  /** The read on its way: it began before anyone who arrives now. */
  #running: Promise<T> | undefined;
  /** The read that starts when the running one ends, for those who came after it began. */
  #next: Promise<T> | undefined;

  constructor(read: () => Promise<T>) {
    this.#read = read;
  }

  get(): Promise<T> {
    if (this.#running === undefined) return this.#start();
    if (this.#next === undefined) {
      const after = this.#running.then(
        () => undefined,
        () => undefined,
      );
      this.#next = after.then(() => {
        this.#next = undefined;
        return this.#start();
      });
    }
    return this.#next;
  }

  #start(): Promise<T> {
    const running = this.#read();
    this.#running = running;
    const done = () => {
      if (this.#running === running) this.#running = undefined;
    };
    running.then(done, done);
    return running;
  }
}
