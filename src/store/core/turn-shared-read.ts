/**
 * One read shared by every caller of the same event-loop turn. A request
 * must see every commit made before it arrived, so it may never take the
 * answer of a read that had already begun when it asked; but requests that
 * arrive together (one turn of the loop parses every request whose bytes
 * came in) can share a read begun after the last of them asked. On
 * PostgreSQL that is one round trip for the whole group instead of one each,
 * and a round trip costs the instance a socket write and read, much more
 * than the work it saves on a cached answer.
 */
export class TurnSharedRead<T> {
  readonly #read: () => Promise<T>;
  /** The read the callers of this turn wait for, not begun yet. */
  #next: Promise<T> | undefined;

  constructor(read: () => Promise<T>) {
    this.#read = read;
  }

  /**
   * The result of a read begun after this call, at the end of this turn
   * (`setImmediate`), shared with every call made until it begins. Calls
   * after it began get the next one; a failure rejects every call sharing it.
   */
  get(): Promise<T> {
    this.#next ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      // Begun from here on: a later caller must not share it.
      this.#next = undefined;
      return this.#read();
    });
    return this.#next;
  }
}
