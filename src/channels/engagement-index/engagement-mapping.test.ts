import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BookingChange } from '../../domain/booking-change.ts';
import type { Booking, Facility } from '../../domain/types.ts';
import type { NewOutboxMessage, StoreTx } from '../../store/calendar-store.ts';
import type { EiConfig, Engagement } from './engagement-mapping.ts';
import { engagementKey, engagementListener, outboxKeyOf } from './engagement-mapping.ts';

const config: EiConfig = {
  logicalAddress: '5565594230',
  sourceSystem: 'SE2321000016-TIDB',
  dataController: 'SE2321000016',
  timeoutMs: 1000,
  batchSize: 1000,
};

const facilities: Facility[] = [
  { hsaId: 'SE2321000016-1hz5', name: 'VC Norr', webBookingEnabled: true, partnerFacilities: [] },
  { hsaId: 'SE2321000016-2ab7', name: 'VC Söder', webBookingEnabled: true, partnerFacilities: [] },
  { hsaId: 'SE2321000016-9off', name: 'Lab', webBookingEnabled: false, partnerFacilities: [] },
];

/** A transaction that knows the facilities (matched case-insensitively, as the store does) and records the outbox. */
function fakeTx(): { tx: StoreTx; appended: NewOutboxMessage[] } {
  const appended: NewOutboxMessage[] = [];
  const tx = {
    getFacility: async (hsaId: string) =>
      facilities.find((f) => f.hsaId.toLowerCase() === hsaId.toLowerCase()),
    appendOutbox: async (messages: readonly NewOutboxMessage[]) => {
      appended.push(...messages);
    },
  } as Partial<StoreTx> as StoreTx;
  return { tx, appended };
}

// 2026-06-19 09:00 CEST = 07:00 UTC.
const start = { ts: '20260619090000', utcMs: Date.UTC(2026, 5, 19, 7) };
const end = { ts: '20260619093000', utcMs: Date.UTC(2026, 5, 19, 7, 30) };
// 2026-05-04 10:15:00 CEST.
const createdAt = Date.UTC(2026, 4, 4, 8, 15);

function booking(overrides: Partial<Booking> = {}): Booking {
  return {
    id: 'B1',
    facility: 'SE2321000016-1hz5',
    subjectOfCare: '191212121212',
    patient: { firstName: 'Tolvan', lastName: 'Tolvansson' },
    isInvitation: false,
    slotId: 'S1',
    start,
    end,
    timeTypeId: 'T1',
    status: 'active',
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...overrides,
  };
}

const openInvitation = booking({
  id: 'INV1',
  isInvitation: true,
  slotId: undefined,
  start: undefined,
  end: undefined,
  purpose: 'Provtagning',
});
const timedInvitation = booking({ id: 'INV2', isInvitation: true, purpose: 'Provtagning' });

function engagement(
  categorization: 'Booking' | 'Invitation',
  bookingId: string,
  mostRecentContent?: string,
  logicalAddress = 'SE2321000016-1hz5',
): Engagement {
  return {
    registeredResidentIdentification: '191212121212',
    serviceDomain: 'riv:crm:scheduling',
    categorization,
    logicalAddress,
    businessObjectInstanceIdentifier: bookingId,
    clinicalProcessInterestId: 'NA',
    ...(mostRecentContent ? { mostRecentContent } : {}),
    sourceSystem: 'SE2321000016-TIDB',
    dataController: 'SE2321000016',
  };
}

const create = (e: Engagement): NewOutboxMessage => ({
  channel: 'engagement-index',
  key: outboxKeyOf(e),
  payload: { deleteFlag: false, engagement: e },
});
const remove = (e: Engagement): NewOutboxMessage => ({
  channel: 'engagement-index',
  key: outboxKeyOf(e),
  payload: { deleteFlag: true, engagement: e },
});

const change = (c: Omit<BookingChange, 'origin' | 'atUtcMs'>): BookingChange => ({
  origin: 'soap',
  atUtcMs: Date.UTC(2026, 5, 1),
  ...c,
});

const moved = booking({
  start: { ts: '20260620140000', utcMs: Date.UTC(2026, 5, 20, 12) },
  end: { ts: '20260620143000', utcMs: Date.UTC(2026, 5, 20, 12, 30) },
  version: 2,
});

// rivta-spec §3.3, use cases 3.1–3.14, one row each.
const table: { name: string; change: BookingChange; expected: NewOutboxMessage[] }[] = [
  {
    name: 'a new open invitation creates an Invitation dated by its creation',
    change: change({ kind: 'created', after: openInvitation }),
    expected: [create(engagement('Invitation', 'INV1', '20260504101500'))],
  },
  {
    name: 'a new timed invitation creates an Invitation at its start',
    change: change({ kind: 'created', after: timedInvitation }),
    expected: [create(engagement('Invitation', 'INV2', '20260619090000'))],
  },
  {
    name: 'a new booking creates a Booking at its start',
    change: change({ kind: 'created', after: booking() }),
    expected: [create(engagement('Booking', 'B1', '20260619090000'))],
  },
  {
    name: 'booking an open invitation deletes the Invitation and creates the Booking',
    change: change({ kind: 'created', before: openInvitation, after: booking({ id: 'INV1' }) }),
    expected: [
      remove(engagement('Invitation', 'INV1')),
      create(engagement('Booking', 'INV1', '20260619090000')),
    ],
  },
  {
    name: 'booking an invitation that cannot be identified creates only the Booking',
    change: change({ kind: 'created', after: booking({ id: 'B9' }) }),
    expected: [create(engagement('Booking', 'B9', '20260619090000'))],
  },
  {
    name: 'rebooking a timed invitation deletes the Invitation and creates a Booking (categorization is in the key)',
    change: change({
      kind: 'changed',
      before: timedInvitation,
      after: booking({ id: 'INV2', start: moved.start, end: moved.end, version: 2 }),
    }),
    expected: [
      remove(engagement('Invitation', 'INV2')),
      create(engagement('Booking', 'INV2', '20260620140000')),
    ],
  },
  {
    name: 'rebooking at the same unit with the same id is one upsert with the new start',
    change: change({ kind: 'changed', before: booking(), after: moved }),
    expected: [create(engagement('Booking', 'B1', '20260620140000'))],
  },
  {
    name: 'rebooking to another unit deletes the old key and creates the new one',
    change: change({
      kind: 'changed',
      before: booking(),
      after: booking({ facility: 'SE2321000016-2ab7', version: 2 }),
    }),
    expected: [
      remove(engagement('Booking', 'B1')),
      create(engagement('Booking', 'B1', '20260619090000', 'SE2321000016-2ab7')),
    ],
  },
  {
    name: 'a rebooking that changes the booking id deletes the old key and creates the new one',
    change: change({ kind: 'changed', before: booking(), after: booking({ id: 'B2' }) }),
    expected: [
      remove(engagement('Booking', 'B1')),
      create(engagement('Booking', 'B2', '20260619090000')),
    ],
  },
  {
    name: 'staff changing an invitation with the same key is one upsert',
    change: change({
      kind: 'changed',
      before: timedInvitation,
      after: { ...timedInvitation, start: moved.start, end: moved.end, version: 2 },
    }),
    expected: [create(engagement('Invitation', 'INV2', '20260620140000'))],
  },
  {
    name: 'cancelling a booking deletes it with the same key fields and no mostRecentContent',
    change: change({
      kind: 'cancelled',
      before: booking(),
      after: booking({ status: 'cancelled', version: 2 }),
    }),
    expected: [remove(engagement('Booking', 'B1'))],
  },
  {
    name: 'withdrawing an open invitation deletes the Invitation',
    change: change({ kind: 'cancelled', after: { ...openInvitation, status: 'cancelled' } }),
    expected: [remove(engagement('Invitation', 'INV1'))],
  },
  {
    name: 'a passed booking is deleted',
    change: change({ kind: 'expired', after: booking() }),
    expected: [remove(engagement('Booking', 'B1'))],
  },
  {
    name: 'an expired invitation is deleted',
    change: change({ kind: 'expired', after: openInvitation }),
    expected: [remove(engagement('Invitation', 'INV1'))],
  },
  {
    name: 'nothing is sent for a unit not enabled for web booking',
    change: change({ kind: 'created', after: booking({ facility: 'SE2321000016-9off' }) }),
    expected: [],
  },
  {
    name: 'a move from a disabled unit to an enabled one only creates',
    change: change({
      kind: 'changed',
      before: booking({ facility: 'SE2321000016-9off' }),
      after: moved,
    }),
    expected: [create(engagement('Booking', 'B1', '20260620140000'))],
  },
  {
    name: 'a move from an enabled unit to a disabled one only deletes',
    change: change({
      kind: 'changed',
      before: booking(),
      after: booking({ facility: 'SE2321000016-9off', version: 2 }),
    }),
    expected: [remove(engagement('Booking', 'B1'))],
  },
  {
    name: 'the logicalAddress is the unit HSA-id as stored, whatever case the booking carries',
    change: change({ kind: 'created', after: booking({ facility: 'se2321000016-1HZ5' }) }),
    expected: [create(engagement('Booking', 'B1', '20260619090000'))],
  },
  {
    name: 'a start inside the spring DST gap is sent as the instant it stands for',
    change: change({
      kind: 'created',
      // 2026-03-29 02:30 does not exist in Stockholm; the stored instant is 01:30 UTC = 03:30 CEST.
      after: booking({ start: { ts: '20260329023000', utcMs: Date.UTC(2026, 2, 29, 1, 30) } }),
    }),
    expected: [create(engagement('Booking', 'B1', '20260329033000'))],
  },
];

describe('engagementListener', () => {
  for (const row of table) {
    it(row.name, async () => {
      const { tx, appended } = fakeTx();
      await engagementListener(config)(tx, row.change);
      assert.deepEqual(appended, row.expected);
    });
  }

  it('writes a delete whose key fields are byte for byte those of the create', async () => {
    const { tx, appended } = fakeTx();
    const listener = engagementListener(config);
    await listener(tx, change({ kind: 'created', after: booking() }));
    await listener(
      tx,
      change({ kind: 'cancelled', before: booking(), after: booking({ status: 'cancelled' }) }),
    );
    const [created, deleted] = appended.map(
      (m) => (m.payload as { engagement: Engagement }).engagement,
    );
    assert.equal(deleted!.mostRecentContent, undefined);
    assert.deepEqual({ ...deleted, mostRecentContent: created!.mostRecentContent }, created);
    assert.equal(appended[0]!.key, appended[1]!.key);
  });

  it('uses the facility lookup it is given instead of the transaction', async () => {
    const { tx, appended } = fakeTx();
    const lookup = async () => ({ ...facilities[2]!, webBookingEnabled: true });
    await engagementListener(config, lookup)(
      tx,
      change({ kind: 'created', after: booking({ facility: 'SE2321000016-9off' }) }),
    );
    assert.equal(appended.length, 1);
  });
});

describe('engagementKey', () => {
  it('is the same for a create and a delete of one engagement', () => {
    assert.equal(
      engagementKey(engagement('Booking', 'B1', '20260619090000')),
      engagementKey(engagement('Booking', 'B1')),
    );
  });

  it('differs when a key field differs only in case, as EI compares bytes', () => {
    assert.notEqual(
      engagementKey(engagement('Booking', 'B1', undefined, 'SE2321000016-1hz5')),
      engagementKey(engagement('Booking', 'B1', undefined, 'SE2321000016-1HZ5')),
    );
  });
});
