/**
 * A unit switched on or off for web booking (by a calendar import): its
 * current bookings and invitations are announced to the change listeners as
 * `published` or `unpublished`, on the import's own transaction, so channels
 * that show bookings online follow the switch without anyone running a reload
 * (issue 12 item 7).
 *
 * @module
 */
import type { StoreTx } from '../store/calendar-store.ts';
import { isCurrent, type BookingChange } from './booking-change.ts';
import { notifyListeners, type SchedulingContext } from './change-transaction.ts';
import type { Facility } from './types.ts';

/** Outbox messages queued, per channel. */
export type QueuedPerChannel = Readonly<Record<string, number>>;

/**
 * Announces every current booking of `facility` as published (`on`) or
 * unpublished, and returns what the listeners queued, per channel.
 */
export async function announceWebBookingSwitch(
  context: SchedulingContext,
  tx: StoreTx,
  facility: Facility,
  on: boolean,
): Promise<QueuedPerChannel> {
  const now = context.now();
  const changes = (await tx.listActiveBookings(facility.hsaId))
    .filter((booking) => isCurrent(booking, now))
    .map((booking): BookingChange => ({
      kind: on ? 'published' : 'unpublished',
      after: booking,
      origin: 'import',
      atUtcMs: now,
    }));
  const queued: Record<string, number> = {};
  const counting = new Proxy(tx, {
    get(target, name) {
      if (name === 'appendOutbox')
        return (messages: Parameters<StoreTx['appendOutbox']>[0]) => {
          for (const { channel } of messages) queued[channel] = (queued[channel] ?? 0) + 1;
          return target.appendOutbox(messages);
        };
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  await notifyListeners(context, counting, changes);
  return queued;
}
