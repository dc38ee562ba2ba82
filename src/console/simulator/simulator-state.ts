/**
 * What the simulator remembers for one console session: the patient, the
 * unit, the producer, the free times last offered and the SOAP log. Kept on
 * the server beside the session, never in a URL (the personnummer must not
 * end up in an access log or the browser history).
 */
import type { Decoded } from '../../contracts/model.ts';
import type { TimeslotType } from '../../contracts/scheduling.ts';
import type { Lenient } from '../../soap-client/read-leniently.ts';
import type { SoapExchange } from '../../soap-client/soap-client.ts';

/** A timeslot as a producer offered it, read leniently. */
export type OfferedSlot = Lenient<Decoded<typeof TimeslotType>>;

/** What the next "Boka" does: a new booking, a rebooking, or booking an open invitation. */
export type SimulatorTarget =
  | { readonly mode: 'rebook'; readonly bookingId: string }
  | { readonly mode: 'invitation'; readonly bookingId: string };

export interface SimulatorState {
  subjectOfCare?: string;
  facility?: string;
  /** '' or undefined: all the unit's time types. */
  timeType?: string;
  /** Another producer than this tidbok; undefined = this tidbok's own SOAP endpoints. */
  baseUrl?: string;
  /** The LogicalAddress header; undefined = the unit's HSA-id. */
  logicalAddress?: string;
  target?: SimulatorTarget;
  /** The free times on the page last shown, so a booking form refers to them by index only. */
  offered: OfferedSlot[];
  /** Newest first. */
  log: SoapExchange[];
  /** The outcome of the last action, shown once. */
  flash?: { readonly kind: 'notice' | 'error'; readonly text: string };
}

/** How many exchanges the log keeps per session. */
export const LOG_LIMIT = 24;

/** One state per session id; a state of a session that is gone is dropped with the oldest. */
export class SimulatorStates {
  readonly #states = new Map<string, SimulatorState>();

  constructor(private readonly limit = 500) {}

  of(sessionId: string): SimulatorState {
    let state = this.#states.get(sessionId);
    if (!state) {
      state = { offered: [], log: [] };
      this.#states.set(sessionId, state);
      if (this.#states.size > this.limit) {
        const oldest = this.#states.keys().next().value;
        if (oldest !== undefined) this.#states.delete(oldest);
      }
    }
    return state;
  }
}

/** Adds an exchange to the front of the log, keeping it short. */
export function logExchange(state: SimulatorState, exchange: SoapExchange): void {
  state.log.unshift(exchange);
  state.log.length = Math.min(state.log.length, LOG_LIMIT);
}
