/**
 * How every booking change runs: in one store transaction together with the
 * change listeners (the EI outbox), so a booking never commits without its
 * notifications; store conflicts become refusals a patient can read.
 *
 * @module
 */
import type { CalendarStore, StoreTx } from '../store/calendar-store.ts';
import { ConcurrentUpdateError, TimeslotTakenError } from '../store/errors.ts';
import type { BookingChange, BookingChangeListener } from './booking-change.ts';
import { refusal, refused, type ChangeOutcome, type RefusalText } from './refusals.ts';
import type { Booking } from './types.ts';

/** Records a change for the listeners; they run before the transaction commits. */
export type Emit = (change: BookingChange) => void;

/** What the booking rules need from outside, shared by every part of the service. */
export interface SchedulingContext {
  readonly store: CalendarStore;
  readonly listeners: readonly BookingChangeListener[];
  readonly now: () => number;
  readonly newId: () => string;
  /** Called after a change committed (e.g. to wake the outbox dispatcher). */
  readonly onCommitted: () => void;
}

/** A change's outcome, or the slot whose claim lost a race (the caller decides what that means). */
export type ChangeResult<T> = ChangeOutcome<T> | { readonly taken: string };

/** Runs a change and its listeners in one transaction; maps store conflicts to refusals. */
export async function runChange<T>(
  context: SchedulingContext,
  fn: (tx: StoreTx, emit: Emit) => Promise<ChangeOutcome<T>>,
): Promise<ChangeResult<T>> {
  let outcome: ChangeOutcome<T>;
  try {
    outcome = await context.store.transaction(async (tx) => {
      const changes: BookingChange[] = [];
      const result = await fn(tx, (c) => changes.push(c));
      await notifyListeners(context, tx, changes);
      return result;
    });
  } catch (err) {
    if (err instanceof TimeslotTakenError) return { taken: err.slotId };
    if (err instanceof ConcurrentUpdateError) return refused<T>(refusal.changedMeanwhile);
    throw err;
  }
  if (outcome.ok) context.onCommitted();
  return outcome;
}

/**
 * Writes the next version of `change.before` with `changes` applied (its
 * version counted up, `updatedAt` the change's time) and emits the change.
 * Returns the new state.
 */
export async function writeNextVersion(
  tx: StoreTx,
  emit: Emit,
  change: Omit<BookingChange, 'before' | 'after'> & { readonly before: Booking },
  changes: Partial<Booking>,
): Promise<Booking> {
  const { before, atUtcMs } = change;
  const after: Booking = {
    ...before,
    ...changes,
    updatedAt: atUtcMs,
    version: before.version + 1,
  };
  await tx.updateBooking(after, before.version);
  emit({ ...change, after });
  return after;
}

/** The fields every new booking or invitation starts with. */
type FirstVersionFields = 'status' | 'createdAt' | 'updatedAt' | 'version';

/**
 * Inserts a new booking or invitation (active, version 1, created at the
 * change's time) and emits its creation. Returns it as stored.
 */
export async function writeFirstVersion(
  tx: StoreTx,
  emit: Emit,
  change: Pick<BookingChange, 'origin' | 'atUtcMs'>,
  fields: Omit<Booking, FirstVersionFields>,
): Promise<Booking> {
  const { atUtcMs } = change;
  const after: Booking = {
    ...fields,
    status: 'active',
    createdAt: atUtcMs,
    updatedAt: atUtcMs,
    version: 1,
  };
  await tx.insertBooking(after);
  emit({ kind: 'created', ...change, after });
  return after;
}

/** Hands each change to every listener on `tx`, in order. */
export async function notifyListeners(
  context: SchedulingContext,
  tx: StoreTx,
  changes: readonly BookingChange[],
): Promise<void> {
  for (const change of changes)
    for (const listener of context.listeners) await listener(tx, change);
}

/** Rolls back a transaction whose later step was refused after an earlier step wrote. */
export class RefusedChange extends Error {
  constructor(readonly text: RefusalText) {
    super(text);
  }
}
