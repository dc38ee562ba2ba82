/**
 * Reused memory for the bytes of answers that are sent once.
 *
 * Why: an answer's bytes live outside V8's heap (ArrayBuffers), and V8
 * counts that memory: when it grows fast, V8 starts full mark-compact
 * collections to free it ("external memory pressure"). A 1,000-booking
 * schedule is about 840 KB of new bytes per answer; ten clients asking for
 * it made 14 of 29 markings on a long-lived server such pressure
 * collections, at about 0.8 ms per request, and they walk the whole old
 * generation, so the cost grows with everything the server keeps cached.
 * Written into slabs that go back to a pool once the socket has taken the
 * answer, the bytes stop growing the external memory at all.
 *
 * Only an answer that will never be sent again may live here: once its
 * slabs are given back, the next answer overwrites them.
 */

/** Slabs of one size, kept when given back, up to `maxIdle` of them. */
export class SlabPool {
  readonly #idle: Buffer[] = [];
  #created = 0;

  /**
   * @param slabBytes - size of each slab; a chunk longer than this gets memory of its own.
   * @param maxIdle - how many given-back slabs are kept (the rest are left to the collector).
   */
  constructor(
    readonly slabBytes = 256 * 1024,
    readonly maxIdle = 64,
  ) {}

  take(): Buffer {
    const slab = this.#idle.pop();
    if (slab !== undefined) return slab;
    this.#created++;
    // Slow: memory of its own, not a view of Node's shared 8 KB pool.
    return Buffer.allocUnsafeSlow(this.slabBytes);
  }

  give(slab: Buffer): void {
    if (this.#idle.length < this.maxIdle) this.#idle.push(slab);
  }

  /** How many slabs this pool has allocated in all (what reuse saves). */
  get created(): number {
    return this.#created;
  }

  /** How many given-back slabs wait to be taken again. */
  get idle(): number {
    return this.#idle.length;
  }
}

/**
 * The bytes of one answer, written into slabs of a pool: {@link bytesOf}
 * hands out views of them, {@link release} gives them all back. After
 * `release`, every view handed out may be overwritten.
 */
export class SlabWriter {
  readonly #pool: SlabPool;
  readonly #taken: Buffer[] = [];
  #slab: Buffer | undefined;
  #used = 0;

  constructor(pool: SlabPool) {
    this.#pool = pool;
  }

  /**
   * The bytes of a byte string (every character one byte, below U+0100,
   * as the encoder's chunks are): a view of the current slab, or of a new
   * one when it is full.
   */
  readonly bytesOf = (byteString: string): Buffer => {
    const length = byteString.length;
    if (length > this.#pool.slabBytes) return Buffer.from(byteString, 'latin1');
    let slab = this.#slab;
    if (slab === undefined || this.#used + length > slab.length) {
      slab = this.#pool.take();
      this.#taken.push(slab);
      this.#slab = slab;
      this.#used = 0;
    }
    const start = this.#used;
    slab.write(byteString, start, length, 'latin1');
    this.#used = start + length;
    return slab.subarray(start, start + length);
  };

  /** Gives every slab back to the pool; call once the bytes are no longer needed. */
  release(): void {
    for (const slab of this.#taken) this.#pool.give(slab);
    this.#taken.length = 0;
    this.#slab = undefined;
    this.#used = 0;
  }
}
