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
