import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  aBooking,
  aBookingOn,
  aTimeslot,
  aCareType,
  aFacility,
  anOpenInvitation,
  aTimeType,
  at,
  FACILITY,
  future,
  nextVersion,
  OTHER_FACILITY,
  PATIENT,
} from '../../../test/support/builders.ts';
import type { BookingChange } from '../../domain/booking-change.ts';
import type { Facility } from '../../domain/types.ts';
import type { CalendarReader } from '../../store/calendar-store.ts';
import { kivraFacts, kivraMessage, letterFor, type KivraOutboxPayload } from './kivra-listener.ts';

const NOW = Date.now();
const change = (c: Omit<BookingChange, 'origin' | 'atUtcMs'>): BookingChange => ({
  origin: 'soap',
  atUtcMs: NOW,
  ...c,
});

/** The reads the listener makes, over a fixed calendar. */
function reader(facilities: readonly Facility[]): CalendarReader {
  return {
    getFacility: async (id: string) =>
      facilities.find((f) => f.hsaId.toLowerCase() === id.toLowerCase()),
    listTimeTypes: async (facility: string) => [aTimeType({ facility, name: 'Klamydiatest' })],
    listCareTypes: async (facility: string) => [aCareType({ facility, name: 'Sexuell hälsa' })],
  } as Partial<CalendarReader> as CalendarReader;
}

describe('Kivra listener', () => {
  it('picks the letter for each kind of change', () => {
    const booking = aBookingOn(aTimeslot());
    const moved = nextVersion(booking, { start: at(future(2)), end: at(future(2) + 900_000) });
    const timed = aBookingOn(aTimeslot(), { isInvitation: true });
    const open = anOpenInvitation();
    const cases: [BookingChange, string | undefined][] = [
      [change({ kind: 'created', after: booking }), 'booked'],
      [change({ kind: 'created', after: booking, before: open }), 'booked'],
      [change({ kind: 'created', after: timed }), 'invited'],
      [change({ kind: 'created', after: open }), 'open-invitation'],
      [change({ kind: 'changed', before: booking, after: moved }), 'rebooked'],
      [
        change({
          kind: 'changed',
          before: booking,
          after: nextVersion(booking, { facility: OTHER_FACILITY }),
        }),
        'rebooked',
      ],
      [
        change({
          kind: 'changed',
          before: booking,
          after: nextVersion(booking, { patient: { firstName: 'Ny', lastName: 'Telefon' } }),
        }),
        undefined,
      ],
      [
        change({
          kind: 'cancelled',
          before: booking,
          after: nextVersion(booking, { status: 'cancelled' }),
        }),
        'cancelled',
      ],
      [
        change({
          kind: 'cancelled',
          before: open,
          after: nextVersion(open, { status: 'cancelled' }),
        }),
        'invitation-withdrawn',
      ],
      [change({ kind: 'expired', after: booking }), undefined],
    ];
    for (const [c, expected] of cases)
      assert.equal(letterFor(c)?.kind, expected, JSON.stringify(c.kind));
  });

  it('writes the unit name and address, the names for the body, and the recipient as key', async () => {
    const facility = aFacility({
      postalAddress: { street: 'Storgatan 1', postalCode: '753 20', city: 'Uppsala' },
    });
    const booking = aBookingOn(aTimeslot(), { careTypeId: 'CT1' });
    const facts = await kivraFacts(
      reader([facility]),
      change({ kind: 'created', after: booking }),
      {},
    );
    assert.deepEqual(facts, {
      kind: 'booked',
      bookingId: booking.id,
      ssn: PATIENT,
      unitName: facility.name,
      unitAddress: facility.postalAddress,
      startUtcMs: booking.start!.utcMs,
      endUtcMs: booking.end!.utcMs,
      visitType: 'Klamydiatest',
      careType: 'Sexuell hälsa',
      changedAtUtcMs: NOW,
    });
    const message = await kivraMessage(facts!, {});
    assert.equal(message.channel, 'kivra');
    assert.equal(message.key, PATIENT);
    const payload = message.payload as KivraOutboxPayload;
    assert.equal(payload.giveUpAtUtcMs, booking.start!.utcMs);
    assert.equal(payload.letter, 'booked');
    assert.equal(JSON.parse(payload.body).ssn, PATIENT);
  });

  it('retries a letter without a time for three days', async () => {
    const facts = await kivraFacts(
      reader([aFacility()]),
      change({ kind: 'created', after: anOpenInvitation() }),
      {},
    );
    const payload = (await kivraMessage(facts!, {})).payload as KivraOutboxPayload;
    assert.equal(payload.giveUpAtUtcMs, NOW + 72 * 3_600_000);
  });

  it('sends nothing for a unit not enabled, and matches enabled units in any case', async () => {
    const calendar = reader([aFacility(), aFacility({ hsaId: OTHER_FACILITY })]);
    const made = change({ kind: 'created', after: aBookingOn(aTimeslot()) });
    assert.equal(await kivraFacts(calendar, made, { facilities: [OTHER_FACILITY] }), undefined);
    assert.ok(await kivraFacts(calendar, made, { facilities: [FACILITY.toLowerCase()] }));
  });

  it('sends nothing for a visit whose start has passed', async () => {
    const past = aBooking({ start: at(NOW - 60_000), end: at(NOW + 840_000) });
    const facts = await kivraFacts(
      reader([aFacility()]),
      change({
        kind: 'cancelled',
        before: past,
        after: nextVersion(past, { status: 'cancelled' }),
      }),
      {},
    );
    assert.equal(facts, undefined);
  });
});
