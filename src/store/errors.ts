/**
 * Errors every CalendarStore implementation throws in place of driver
 * errors, so the domain and SOAP layers never see SQLite or PostgreSQL codes.
 */

/** The timeslot already has an active booking (a unique constraint said so, not a prior read). */
export class TimeslotTakenError extends Error {
  override readonly name = 'TimeslotTakenError';
  constructor(readonly slotId: string) {
    super(`timeslot ${slotId} is already booked`);
  }
}

/** The booking changed since it was read (optimistic version check failed). */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
  constructor(readonly bookingId: string) {
    super(`booking ${bookingId} was changed by someone else`);
  }
}

/** A write names something the store does not hold (e.g. a booking on an unknown slot). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A write would create something the store already holds (e.g. a booking id in use). */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
}

/**
 * A `tx` was used after its transaction ended, or the store itself was called
 * (read, nested transaction, close) from inside a transaction callback.
 */
export class TransactionMisuseError extends Error {
  override readonly name = 'TransactionMisuseError';
}

/** Why the database could not do the work: see {@link StoreUnavailableError}. */
export type UnavailableReason = 'busy' | 'connection-lost';

/**
 * The database could not do the work now: another process held SQLite's
 * write lock past the busy timeout, or the PostgreSQL connection was lost
 * (failover, restart, terminated session). The store has retried once where
 * nothing was written. The message is fit for a caller to read; it names no
 * person.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly reason: UnavailableReason,
    /** The transaction was rolled back, or never began: trying again is safe. */
    readonly nothingWritten: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
