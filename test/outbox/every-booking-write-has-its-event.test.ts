/**
 * The proof behind "no code path can change a booking without its event"
 * (rivta-spec §3.1 item 1, must-have 21): every transaction in which the
 * domain service writes a booking also appends an engagement-index message
 * naming that booking. The store and service are enumerated at run time, so
 * a new write verb or a new service method fails this test until it is
 * covered here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invitationsThroughService } from '../../src/calendar/import-calendar-file.ts';
import type { EngagementTransaction } from '../../src/channels/engagement-index/engagement-mapping.ts';
import { SchedulingService } from '../../src/domain/scheduling-service.ts';
import { instantToDt, addDays } from '../../src/domain/local-time.ts';
import { createServices } from '../../src/services.ts';
import type { CalendarStore, NewOutboxMessage, StoreTx } from '../../src/store/calendar-store.ts';
import { createStore } from '../../src/store/create-store.ts';
import {
  bookingOfSlot,
  PATIENT,
  PATIENT_INFO,
  FACILITY,
  seedTestCalendar,
} from '../support/test-calendar.ts';
import { testEiChannel } from '../support/test-app.ts';

/** What one transaction did: booking ids written per verb, and booking ids its outbox messages name. */
interface TxRecord {
  readonly writes: { verb: string; bookingId: string }[];
  readonly reported: Set<string>;
}

/** Verbs of a tx that the store itself does not have: the writes. */
async function txWriteVerbs(store: CalendarStore): Promise<string[]> {
  let verbs: string[] = [];
  await store.transaction(async (tx) => {
    const names = Object.getOwnPropertyNames(Object.getPrototypeOf(tx) as object);
    verbs = names.filter((n) => n !== 'constructor' && !(n in store));
  });
  return verbs.sort();
}

/** The store, with every transaction's writes and outbox messages recorded. */
function recording(store: CalendarStore, records: TxRecord[]): CalendarStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'transaction') {
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return <T>(fn: (tx: StoreTx) => Promise<T>) =>
        target.transaction((tx) => {
          const record: TxRecord = { writes: [], reported: new Set() };
          records.push(record);
          const spy = new Proxy(tx, {
            get(t, p) {
              const value = Reflect.get(t, p) as unknown;
              if (typeof value !== 'function') return value;
              const call = (value as (...a: unknown[]) => unknown).bind(t);
              if (p === 'appendOutbox')
                return (messages: readonly NewOutboxMessage[]) => {
                  for (const m of messages)
                    record.reported.add(
                      (m.payload as EngagementTransaction).engagement
                        .businessObjectInstanceIdentifier,
                    );
                  return call(messages);
                };
              if (p === 'insertBooking' || p === 'updateBooking')
                return (booking: { id: string }, ...rest: unknown[]) => {
                  record.writes.push({ verb: p, bookingId: booking.id });
                  return call(booking, ...rest);
                };
              if (p === 'markExpired')
                return (id: string, ...rest: unknown[]) => {
                  record.writes.push({ verb: p, bookingId: id });
                  return call(id, ...rest);
                };
              return call;
            },
          });
          return fn(spy);
        });
    },
  });
}

/** Service methods that write no booking; every other method must have a scenario below. */
const QUERIES = [
  'describe',
  'facilitiesFor',
  'facilitiesFrom',
  'findAvailability',
  'now',
  'store',
  'visibleTimeTypes',
  // Writes no booking, only tells the listeners (test/e2e/ei-web-booking-switch.test.ts).
  'announceWebBookingSwitch',
];

void describe('every booking write has its engagement-index event', () => {
  void it('covers every write verb of the store and every change method of the service', async () => {
    const store = createStore('sqlite::memory:');
    try {
      // Writes that are not booking changes: calendar maintenance, the outbox itself and
      // patients' other identifiers (read when a booking changes); and the one read only a
      // transaction offers (the webhooks listener's subscriptions).
      const bookingWrites = (await txWriteVerbs(store)).filter(
        (v) =>
          v !== 'appendOutbox' &&
          v !== 'listEnabledWebhookSubscriptions' &&
          !v.startsWith('upsert') &&
          !v.endsWith('PatientIdentifier'),
      );
      assert.deepEqual(bookingWrites, ['insertBooking', 'markExpired', 'updateBooking']);
    } finally {
      await store.close();
    }
    const methods = Object.getOwnPropertyNames(SchedulingService.prototype).filter(
      (n) => n !== 'constructor' && !QUERIES.includes(n),
    );
    assert.deepEqual(
      methods.sort(),
      Object.keys(SCENARIOS)
        .map((k) => k.split(':')[0])
        .filter((v, i, a) => a.indexOf(v) === i)
        .sort(),
    );
  });

  void it('appends an event naming the booking in the same transaction, on every path', async () => {
    let clock = Date.now();
    const records: TxRecord[] = [];
    const raw = createStore('sqlite::memory:');
    const calendar = await seedTestCalendar(raw, clock);
    const { service } = createServices({
      store: recording(raw, records),
      channels: [testEiChannel()],
      now: () => clock,
    });
    const seen = new Set<string>();
    try {
      for (const [name, scenario] of Object.entries(SCENARIOS)) {
        const from = records.length;
        await scenario(service, calendar, (ms) => (clock += ms));
        const written = records.slice(from).filter((r) => r.writes.length > 0);
        assert.ok(written.length > 0, `${name}: wrote no booking at all`);
        for (const record of written)
          for (const w of record.writes) {
            seen.add(w.verb);
            assert.ok(
              record.reported.has(w.bookingId),
              `${name}: ${w.verb} of ${w.bookingId} committed without its EI event`,
            );
          }
      }
      assert.deepEqual([...seen].sort(), ['insertBooking', 'markExpired', 'updateBooking']);
    } finally {
      await raw.close();
    }
  });
});

type Calendar = Awaited<ReturnType<typeof seedTestCalendar>>;
type Scenario = (
  service: SchedulingService,
  calendar: Calendar,
  advance: (ms: number) => void,
) => Promise<void>;

const ok = <T>(outcome: { ok: boolean; text?: string; value?: T }): T => {
  assert.ok(outcome.ok, outcome.text);
  return outcome.value as T;
};

/** One entry per way the service changes bookings; the method name comes before the colon. */
const SCENARIOS: Record<string, Scenario> = {
  'makeBooking: a free slot': async (service, calendar) => {
    const slot = calendar.doctorSlots[0]!;
    ok(await service.makeBooking(bookingOfSlot(slot, 'soap')));
  },
  'makeBooking: an open invitation': async (service, calendar) => {
    const invitation = ok<{ booking: { id: string } }>(
      await service.createInvitation({
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Kallelse',
      }),
    );
    const slot = calendar.doctorSlots[1]!;
    ok(await service.makeBooking(bookingOfSlot(slot, 'staff', { id: invitation.booking.id })));
  },
  'rebook: a booking and a timed invitation': async (service, calendar) => {
    const [a, b, c, d] = calendar.doctorSlots.slice(2, 6);
    const booked = ok<{ id: string }>(
      await service.makeBooking({
        facility: FACILITY,
        id: a!.id,
        startTs: a!.start.ts,
        endTs: a!.end.ts,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        origin: 'staff',
      }),
    );
    ok(
      await service.rebook({
        bookingId: booked.id,
        facility: FACILITY,
        startTs: b!.start.ts,
        endTs: b!.end.ts,
        origin: 'soap',
      }),
    );
    const timed = ok<{ booking: { id: string } }>(
      await service.createInvitation({
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Återbesök',
        slotId: c!.id,
      }),
    );
    ok(
      await service.rebook({
        bookingId: timed.booking.id,
        facility: FACILITY,
        startTs: d!.start.ts,
        endTs: d!.end.ts,
        origin: 'staff',
      }),
    );
  },
  'cancel: a booking and an invitation': async (service, calendar) => {
    const slot = calendar.doctorSlots[6]!;
    const booked = ok<{ id: string }>(await service.makeBooking(bookingOfSlot(slot, 'soap')));
    ok(await service.cancel({ bookingId: booked.id, facility: FACILITY, origin: 'soap' }));
    const invitation = ok<{ booking: { id: string } }>(
      await service.createInvitation({
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Kallelse',
      }),
    );
    ok(
      await service.cancel({
        bookingId: invitation.booking.id,
        facility: FACILITY,
        origin: 'staff',
      }),
    );
  },
  'createInvitation: open, timed, and inside a calendar import': async (service, calendar) => {
    ok(
      await service.createInvitation({
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Kallelse',
        expiresOn: addDays(instantToDt(service.now()), 30),
      }),
    );
    ok(
      await service.createInvitation({
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Kallelse',
        slotId: calendar.doctorSlots[7]!.id,
      }),
    );
    const slot = calendar.doctorSlots[8]!;
    await service.store.transaction((tx) =>
      invitationsThroughService(service)(tx, {
        id: 'imported-1',
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Importerad kallelse',
        slotId: slot.id,
        start: slot.start,
        end: slot.end,
      }),
    );
  },
  'changeInvitation: staff change a timed invitation (withdraw + create)': async (
    service,
    calendar,
  ) => {
    const invitation = ok(
      await service.createInvitation({
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Kallelse',
        slotId: calendar.doctorSlots[10]!.id,
      }),
    );
    ok(
      await service.changeInvitation(invitation.booking.id, {
        slotId: calendar.doctorSlots[11]!.id,
        purpose: 'Ändrad kallelse',
      }),
    );
  },
  'expireEnded: passed bookings and expired invitations': async (service, calendar, advance) => {
    const slot = calendar.doctorSlots[9]!;
    ok(await service.makeBooking(bookingOfSlot(slot, 'soap')));
    advance(40 * 86_400_000);
    assert.ok((await service.expireEnded()) > 0);
  },
};
