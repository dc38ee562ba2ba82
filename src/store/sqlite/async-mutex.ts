/**
 * Runs async tasks one at a time, in call order. better-sqlite3 has one
 * connection, so two transactions whose callbacks await in between would
 * otherwise interleave on it.
 */
export class AsyncMutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled; settles as `task` does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
