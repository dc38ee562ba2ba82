/**
 * What every group of checks shares during one `verify` run: the client,
 * the options, the recorded results, the bookings to clean up, and the
 * availability queries the lifecycle checks repeat.
 */
import type { SoapClient, SoapExchange } from '../soap-client/soap-client.ts';
import type { Actor } from '../soap-client/request-envelope.ts';
import type { Lenient } from '../soap-client/read-leniently.ts';
import type { Decoded, Encodable } from '../contracts/model.ts';
import {
  GetAvailableTimeslots,
  GetSubjectOfCareSchedule,
  MakeBooking,
  type TimeslotType,
} from '../contracts/scheduling.ts';
import { addDays, instantToDt, instantToTs } from '../domain/local-time.ts';
import type { CheckDefinition } from './check-catalogue.ts';

/** A piece of evidence: one exchange, or a note on the rule that was broken. */
export interface Evidence {
  readonly label: string;
  readonly detail?: string;
  readonly exchange?: {
    readonly operation: string;
    readonly url: string;
    readonly status: number;
    readonly request: string;
    readonly response: string;
    readonly schemaErrors: readonly string[];
    readonly transportError?: string;
  };
}

/** The outcome of one check. */
export interface CheckResult extends CheckDefinition {
  readonly passed: boolean;
  /** Why it failed, in one sentence. */
  readonly reason?: string;
  readonly evidence?: readonly Evidence[];
}

/** A timeslot as offered, read leniently. */
export type Slot = Lenient<Decoded<typeof TimeslotType>>;

export interface VerifyOptions {
  readonly facility: string;
  readonly subjectOfCare: string;
  readonly timeTypeId?: string;
  readonly readOnly: boolean;
  /** Parallel MakeBookings for the race check; below 2 the check is not run. */
  readonly race: number;
  /** How many days ahead to look for free slots. */
  readonly days: number;
  readonly now: () => number;
}

/** The patient name verify books with (the Skatteverket test person's). */
export const VERIFY_PATIENT = { firstName: 'Tolvan', lastName: 'Tolvansson' } as const;

/** Evidence from an exchange. */
export function evidenceOf(label: string, exchange: SoapExchange, detail?: string): Evidence {
  return {
    label,
    ...(detail !== undefined ? { detail } : {}),
    exchange: {
      operation: exchange.operation,
      url: exchange.url,
      status: exchange.status,
      request: exchange.requestXml,
      response: exchange.responseXml,
      schemaErrors: exchange.schemaErrors,
      ...(exchange.transportError !== undefined ? { transportError: exchange.transportError } : {}),
    },
  };
}

/** `start|end|performer|resource`: what makes two offered slots the same slot. */
export function slotKey(slot: Slot): string {
  return [slot.startTimeInclusive, slot.endTimeExclusive, slot.performer, slot.resourceID]
    .map((v) => v ?? '')
    .join('|');
}

/** Whether `slot` is among `offered`, by its time and performer or by its slot id. */
export function isOffered(slot: Slot, offered: readonly Slot[]): boolean {
  const key = slotKey(slot);
  return offered.some(
    (o) =>
      slotKey(o) === key ||
      (slot.bookingId !== undefined &&
        o.bookingId === slot.bookingId &&
        o.startTimeInclusive === slot.startTimeInclusive),
  );
}

/** How an exchange ended, in a few words for a failure reason. */
export function outcomeOf(exchange: SoapExchange): string {
  if (exchange.transportError) return `no answer (${exchange.transportError})`;
  if (exchange.fault) return `a SOAP Fault (${exchange.fault.code}: ${exchange.fault.message})`;
  const result = (exchange.lenient as { resultCode?: string } | undefined)?.resultCode;
  if (result) return `HTTP ${exchange.status} with resultCode=${result}`;
  return `HTTP ${exchange.status}`;
}

/** The state of one run. */
export class VerifyContext {
  readonly results: CheckResult[] = [];
  readonly notes: string[] = [];
  /** Booking ids verify got back, with the patient each is for, to cancel at the end whatever happens. */
  readonly bookingsMade = new Map<string, string>();
  /** Slots already used by a check, so each check books a slot of its own. */
  private readonly usedSlots = new Set<string>();
  readonly actor: Actor;

  constructor(
    readonly client: SoapClient,
    readonly options: VerifyOptions,
  ) {
    this.actor = { actorId: options.subjectOfCare, actorType: 'subject_of_care' };
  }

  get facility(): string {
    return this.options.facility;
  }

  /** The first and last day the availability queries cover. */
  get window(): { start: string; end: string } {
    const today = instantToDt(this.options.now());
    return { start: today, end: addDays(today, this.options.days) };
  }

  /** The current local time, yyyyMMddHHmmss. */
  nowTs(): string {
    return instantToTs(this.options.now());
  }

  record(check: CheckDefinition, failure: string | undefined, evidence: Evidence[] = []): void {
    this.results.push(
      failure === undefined
        ? { ...check, passed: true }
        : { ...check, passed: false, reason: failure, evidence },
    );
  }

  /** The GetAvailableDates / GetAvailableTimeslots request over the window (rebooking with `bookingId`). */
  availabilityRequest(bookingId?: string) {
    const { start, end } = this.window;
    return {
      healthcare_facility: this.facility,
      ...(bookingId !== undefined ? { bookingId } : {}),
      startDateInclusive: start,
      endDateInclusive: end,
      performer: [],
      ...(this.options.timeTypeId !== undefined ? { timeTypeID: this.options.timeTypeId } : {}),
      subject_of_care: this.options.subjectOfCare,
    };
  }

  /** Free timeslots over the window (for rebooking when `bookingId` is given). */
  async freeSlots(bookingId?: string) {
    const exchange = await this.client.call(
      GetAvailableTimeslots,
      this.availabilityRequest(bookingId),
      { logicalAddress: this.facility, actor: this.actor },
    );
    return { exchange, slots: (exchange.lenient?.timeslotDetail ?? []) as Slot[] };
  }

  /** The patient's schedule at the facility. */
  async schedule() {
    const exchange = await this.client.call(
      GetSubjectOfCareSchedule,
      { healthcare_facility: this.facility, subject_of_care: this.options.subjectOfCare },
      { logicalAddress: this.facility, actor: this.actor },
    );
    return { exchange, bookings: (exchange.lenient?.timeslotDetail ?? []) as Slot[] };
  }

  /**
   * Takes a slot no other check has used, from `pool`: the first one `prefer`
   * accepts, else the first one. Undefined when the pool is used up.
   */
  takeSlot(pool: readonly Slot[], prefer: (slot: Slot) => boolean = () => true): Slot | undefined {
    const unused = pool.filter((s) => !this.usedSlots.has(slotKey(s)));
    const slot = unused.find(prefer) ?? unused[0];
    if (slot) this.usedSlots.add(slotKey(slot));
    return slot;
  }

  /** A MakeBooking request for `slot`, echoing what the producer offered as MVK does. */
  makeBookingRequest(slot: Slot, subjectOfCare = this.options.subjectOfCare) {
    return {
      healthcare_facility_med: this.facility,
      requestedTimeslot: {
        ...this.requestedTimeslot(slot, subjectOfCare),
        bookingId: slot.bookingId,
      },
      subject_of_care_info: VERIFY_PATIENT,
    } satisfies Encodable<(typeof MakeBooking)['request']>;
  }

  /** The requestedTimeslot fields taken from an offered slot. */
  requestedTimeslot(slot: Slot, subjectOfCare = this.options.subjectOfCare) {
    return {
      startTimeInclusive: slot.startTimeInclusive,
      endTimeExclusive: slot.endTimeExclusive,
      healthcare_facility: slot.healthcare_facility ?? this.facility,
      performer: slot.performer,
      subject_of_care: subjectOfCare,
      resourceID: slot.resourceID,
      timeTypeID: slot.timeTypeID,
      careTypeID: slot.careTypeID,
    };
  }

  /** Calls MakeBooking and remembers any booking id it hands out. */
  async book(slot: Slot, subjectOfCare = this.options.subjectOfCare) {
    const exchange = await this.client.call(
      MakeBooking,
      this.makeBookingRequest(slot, subjectOfCare),
      {
        logicalAddress: this.facility,
        actor: { actorId: subjectOfCare, actorType: 'subject_of_care' },
      },
    );
    this.remember(exchange, subjectOfCare);
    return exchange;
  }

  /** Remembers the booking id of a MakeBooking answer, for the clean-up. */
  remember(
    exchange: SoapExchange<typeof MakeBooking>,
    subjectOfCare = this.options.subjectOfCare,
  ): string | undefined {
    const id = exchange.lenient?.bookingId;
    if (id) this.bookingsMade.set(id, subjectOfCare);
    return id;
  }
}
