/**
 * The domain without HTTP: store, outbox and the scheduling service with its
 * change listeners. The server (`app.ts`) and every CLI command that changes
 * bookings build it here, so a booking change written by staff from the
 * command line gets its outbox messages (one set per enabled channel)
 * exactly as one made over SOAP (rivta-spec §3.1 item 1).
 */
import { SchedulingService } from './domain/scheduling-service.ts';
import type { BookingChangeListener } from './domain/booking-change.ts';
import type { CalendarStore } from './store/calendar-store.ts';
import { createOutboxStore, createStore } from './store/create-store.ts';
import type { OutboxStore } from './outbox/outbox-store.ts';
import type { EnabledChannel } from './channels/channel-module.ts';

export interface ServicesOptions {
  /** Store URL, or an open store (then the caller closes it). */
  readonly store: string | CalendarStore;
  /** Every booking change appends each of these channels' outbox messages. */
  readonly channels?: readonly EnabledChannel[];
  /** Further listeners (tests). */
  readonly listeners?: readonly BookingChangeListener[];
  /** Called after a change committed (e.g. to wake the outbox dispatcher). */
  readonly onCommitted?: () => void;
  readonly now?: () => number;
}

export interface Services {
  readonly store: CalendarStore;
  readonly outbox: OutboxStore;
  readonly service: SchedulingService;
  /** The channels whose listeners the service runs. */
  readonly channels: readonly EnabledChannel[];
  /** Closes the store if these services opened it. */
  close(): Promise<void>;
}

export function createServices(options: ServicesOptions): Services {
  const ownsStore = typeof options.store === 'string';
  const store = typeof options.store === 'string' ? createStore(options.store) : options.store;
  const outbox = createOutboxStore(store);
  const channels = options.channels ?? [];
  const service = new SchedulingService({
    store,
    listeners: [
      ...channels.map((channel) => channel.changeListener()),
      ...(options.listeners ?? []),
    ],
    ...(options.onCommitted ? { onCommitted: options.onCommitted } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    store,
    outbox,
    service,
    channels,
    async close() {
      if (ownsStore) await store.close();
    },
  };
}
