/**
 * The workload table. Each row is one SOAP exchange under load: how to build
 * its request bodies from the seeded calendar, which targets it runs
 * against, and what outcome counts as correct. The runner measures every row
 * against every target it names (throughput with keep-alive connections, a
 * warm-up first), and read rows also at a fixed 500 requests/s.
 *
 * To add an HTTP workload, append a row; `BENCH_ONLY=<key>` runs it alone.
 * Benchmarks that are not one SOAP exchange under load (an outbox drain, a
 * store comparison) belong in `suites.ts`.
 */
import type { Interaction } from '../src/contracts/model.ts';
import {
  GetAvailableTimeslots,
  GetBookingDetails,
  GetSubjectOfCareSchedule,
  MakeBooking,
} from '../src/contracts/scheduling.ts';
import { addDays } from '../src/domain/local-time.ts';
import { AVAILABILITY_CACHE_ENTRIES } from '../src/domain/scheduling-service.ts';
import { requestEnvelope } from '../test/support/soap-client.ts';
import { personnummer, type SeededLargeCalendar, type SlotRef } from './seed-large-calendar.ts';
import type { LoadSpec } from './load.ts';
import type { TargetKey } from './targets.ts';

/** How many requests got which outcome: a resultCode, `ok` (a read answered 200) or `HTTP <status>`. */
export type Outcomes = Readonly<Record<string, number>>;

export interface Workload {
  /** Key for BENCH_ONLY and the tables. */
  readonly key: string;
  readonly title: string;
  readonly interaction: Interaction;
  readonly kind: 'read' | 'write';
  /** Targets in the order measured. The raw ceiling answers tidbok's response to `probe`. */
  readonly targets: readonly TargetKey[];
  readonly connections: number;
  /** Send exactly this many requests once (no warm-up) instead of a timed run. */
  readonly amount?: number;
  /** Whether a read also runs at the fixed rate (default true). */
  readonly fixedRate?: boolean;
  /** A fresh body generator per target (each target has its own copy of the store). */
  bodies(calendar: SeededLargeCalendar): () => string;
  /** The request whose answer is validated and prebuilt for the ceiling; by default the first body. */
  probe?(calendar: SeededLargeCalendar): string;
  /** Why the outcomes are wrong, or undefined when they are right. */
  check(outcomes: Outcomes): string | undefined;
  /**
   * The answer type has no resultCode, so the HTTP status is the whole
   * outcome (a fault is a 500) and the generator need not read the body.
   * Reading one costs autocannon about 3 ms of CPU per 1 MB answer, more
   * than it needs to receive it: V8 must join the decoded chunks into one
   * string. On two cores that made the generator, not the server, what a
   * 1,000-booking schedule measured (the raw ceiling's p50 equalled tidbok's).
   */
  readonly outcomeFromStatus?: boolean;
}

/** The workload the issue's headline targets (×5 node-soap, ×0.5 the ceiling) are about. */
export const HEADLINE_WORKLOAD = 'available-timeslots';

/** The workload issue 18's schedule target (p50 < 50 ms at 10 clients) is about. */
export const SCHEDULE_WORKLOAD = 'schedule-1000';

/** More distinct searches than the availability cache keeps, so none is answered from it. */
const VARIED_SEARCHES = 3 * AVAILABILITY_CACHE_ENTRIES;

/** A patient with a valid personnummer; they repeat every 3,000 `n`. */
export const patient = (n: number) =>
  personnummer(
    `19${String(60 + (n % 40)).padStart(2, '0')}${String(1 + (n % 12)).padStart(2, '0')}15`,
    n,
  );

const asPatient = (subjectOfCare: string, facility: string) => ({
  logicalAddress: facility,
  actor: { actorId: subjectOfCare, actorType: 'subject_of_care' },
});

const onlyOutcomes =
  (...allowed: string[]) =>
  (outcomes: Outcomes): string | undefined => {
    const wrong = Object.entries(outcomes).filter(([k]) => !allowed.includes(k));
    return wrong.length > 0
      ? `unexpected outcomes: ${wrong.map(([k, v]) => `${k} ×${v}`).join(', ')}`
      : undefined;
  };

/** A MakeBooking request for `slot`, as `subjectOfCare` would send it through 1177. */
export function makeBookingBody(slot: SlotRef, subjectOfCare: string): string {
  return requestEnvelope(
    MakeBooking,
    {
      healthcare_facility_med: slot.facility,
      requestedTimeslot: {
        startTimeInclusive: slot.startTs,
        endTimeExclusive: slot.endTs,
        healthcare_facility: slot.facility,
        performer: slot.performer,
        bookingId: slot.id,
        subject_of_care: subjectOfCare,
        reason: 'Besvär sedan en vecka',
        timeTypeID: slot.timeTypeId,
      },
      subject_of_care_info: { firstName: 'Tolvan', lastName: 'Tolvansson', phone: '0701234567' },
    } as never,
    asPatient(subjectOfCare, slot.facility),
  );
}

/** The slot all contention requests race for, and the one the ceiling's MakeBooking answer is taken from. */
const contendedSlot = (c: SeededLargeCalendar) => c.freeSlots[c.freeSlots.length - 1]!;
const probeSlot = (c: SeededLargeCalendar) => c.freeSlots[c.freeSlots.length - 2]!;

function schedule(size: number): Workload {
  return {
    key: `schedule-${size}`,
    title: `GetSubjectOfCareSchedule, ${size} booking${size === 1 ? '' : 's'}`,
    interaction: GetSubjectOfCareSchedule,
    kind: 'read',
    targets: ['tidbok', 'node-soap', 'ceiling'],
    connections: 10,
    bodies(c) {
      const subject = c.scheduleSubjects.find((s) => s.bookings === size);
      if (!subject) throw new Error(`the calendar has no patient with ${size} bookings`);
      const body = requestEnvelope(
        GetSubjectOfCareSchedule,
        { healthcare_facility: subject.facility, subject_of_care: subject.subjectOfCare } as never,
        asPatient(subject.subjectOfCare, subject.facility),
      );
      return () => body;
    },
    check: onlyOutcomes('ok'),
    outcomeFromStatus: true,
  };
}

export const WORKLOADS: readonly Workload[] = [
  {
    key: 'available-timeslots',
    title: 'GetAvailableTimeslots (2 performers, 2 days)',
    interaction: GetAvailableTimeslots,
    kind: 'read',
    targets: ['tidbok', 'node-soap', 'ceiling', 'tidbok-quiet'],
    connections: 10,
    bodies(c) {
      const facility = c.facilities[1]!;
      const day = addDays(c.firstDay, 9);
      const subject = patient(1);
      const body = requestEnvelope(
        GetAvailableTimeslots,
        {
          healthcare_facility: facility,
          startDateInclusive: day,
          endDateInclusive: addDays(day, 1),
          performer: c.performers[1]!.slice(0, 2),
          subject_of_care: subject,
        } as never,
        asPatient(subject, facility),
      );
      return () => body;
    },
    check: onlyOutcomes('ok'),
  },
  {
    // Every request a different search, more of them than the availability cache
    // holds, taken in turn: every answer is computed from the store.
    key: 'available-timeslots-varied',
    title: 'GetAvailableTimeslots, 3,000 different searches in turn (uncached)',
    interaction: GetAvailableTimeslots,
    kind: 'read',
    targets: ['tidbok', 'node-soap', 'ceiling'],
    connections: 10,
    bodies(c) {
      const bodies: string[] = [];
      for (let i = 0; bodies.length < VARIED_SEARCHES; i++) {
        const f = i % c.facilities.length;
        const facility = c.facilities[f]!;
        const performers = c.performers[f]!;
        const pair = Math.floor(i / c.facilities.length) % Math.floor(performers.length / 2);
        const day = addDays(c.firstDay, 1 + (Math.floor(i / 100) % 60));
        const subject = patient(i);
        bodies.push(
          requestEnvelope(
            GetAvailableTimeslots,
            {
              healthcare_facility: facility,
              startDateInclusive: day,
              endDateInclusive: addDays(day, 1),
              performer: performers.slice(2 * pair, 2 * pair + 2),
              subject_of_care: subject,
            } as never,
            asPatient(subject, facility),
          ),
        );
      }
      let n = 0;
      return () => bodies[n++ % bodies.length]!;
    },
    check: onlyOutcomes('ok'),
  },
  schedule(1),
  schedule(100),
  schedule(1000),
  {
    // Latency without queueing: the 50 ms target is for one request, not ten at once.
    ...schedule(1000),
    key: 'schedule-1000-single',
    title: 'GetSubjectOfCareSchedule, 1000 bookings, one client',
    connections: 1,
    fixedRate: false,
  },
  {
    key: 'booking-details',
    title: 'GetBookingDetails (200 bookings in turn)',
    interaction: GetBookingDetails,
    kind: 'read',
    targets: ['tidbok', 'node-soap', 'ceiling'],
    connections: 10,
    bodies(c) {
      const bodies = c.sampleBookings.map((b) =>
        requestEnvelope(
          GetBookingDetails,
          { healthcare_facility: b.facility, bookingId: b.id } as never,
          asPatient(b.subjectOfCare, b.facility),
        ),
      );
      let n = 0;
      return () => bodies[n++ % bodies.length]!;
    },
    check: onlyOutcomes('ok'),
  },
  {
    key: 'make-booking',
    title: 'MakeBooking, each request a different free slot',
    interaction: MakeBooking,
    kind: 'write',
    targets: ['tidbok', 'node-soap', 'ceiling'],
    connections: 10,
    bodies(c) {
      const usable = c.freeSlots.length - 2;
      let n = 0;
      return () => {
        const i = n++;
        return makeBookingBody(c.freeSlots[i % usable]!, patient(1000 + i));
      };
    },
    probe: (c) => makeBookingBody(probeSlot(c), patient(999)),
    // INFO is a made booking with text to show (the lab slots' fasting note).
    check: onlyOutcomes('OK', 'INFO'),
  },
  {
    key: 'make-booking-contention',
    title: 'MakeBooking contention: 200 patients at once on one slot',
    interaction: MakeBooking,
    kind: 'write',
    targets: ['tidbok', 'node-soap'],
    connections: 200,
    amount: 200,
    bodies(c) {
      let n = 0;
      return () => makeBookingBody(contendedSlot(c), patient(500_000 + n++));
    },
    check(outcomes) {
      const made = (outcomes['OK'] ?? 0) + (outcomes['INFO'] ?? 0);
      const refused = outcomes['ERROR'] ?? 0;
      return made === 1 && refused === 199
        ? undefined
        : `expected exactly one booking and 199 refusals, got ${JSON.stringify(outcomes)}`;
    },
  },
];

const RESULT_CODE = 'resultCode>';

/**
 * The outcome label of one answer: the value of its first `resultCode`
 * element, else the HTTP status. It runs in the load generator for every
 * answer, so it is a plain scan rather than one regex over the whole body.
 */
export function outcomeOf(status: number, body: string): string {
  for (let at = body.indexOf(RESULT_CODE); at >= 0; at = body.indexOf(RESULT_CODE, at + 1)) {
    const open = body.lastIndexOf('<', at);
    if (open < 0 || !/^<(?:[\w-]+:)?$/.test(body.slice(open, at))) continue;
    const from = at + RESULT_CODE.length;
    const value = body.slice(from, body.indexOf('<', from));
    if (/^\w+$/.test(value)) return value;
  }
  return statusOutcome(status);
}

const statusOutcome = (status: number) => (status === 200 ? 'ok' : `HTTP ${status}`);

/** The load hooks that count every answer of `w` into `outcomes`. */
export function countOutcomes(
  w: Workload,
  outcomes: Record<string, number>,
): Pick<LoadSpec, 'onResponse' | 'onStatus'> {
  const count = (label: string) => {
    outcomes[label] = (outcomes[label] ?? 0) + 1;
  };
  return w.outcomeFromStatus
    ? { onStatus: (status) => count(statusOutcome(status)) }
    : { onResponse: (status, body) => count(outcomeOf(status, body)) };
}
