/**
 * Ten identical MakeBooking requests for one open invitation at once (the
 * platform retrying, or a patient tapping twice): every one is answered with
 * the same booking, on both stores (issue 19, item 6). On PostgreSQL the
 * requests really run side by side, and nine of them lose the version check.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SchedulingService } from '../../src/domain/scheduling-service.ts';
import type { CalendarStore } from '../../src/store/calendar-store.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import {
  bookingOfSlot,
  FACILITY,
  PATIENT,
  PATIENT_INFO,
  seedTestCalendar,
} from '../support/test-calendar.ts';

const stores: CalendarStore[] = [];
after(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

function repeatedBookingOfAnInvitation(open: () => Promise<CalendarStore>): void {
  void it('answers ten identical concurrent requests with one and the same booking', async () => {
    const store = await open();
    stores.push(store);
    const calendar = await seedTestCalendar(store);
    const service = new SchedulingService({ store });
    const invited = await service.createInvitation({
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Kallelse till läkare',
    });
    assert.ok(invited.ok);
    const invitation = invited.value.booking;
    const slot = calendar.doctorSlots[4]!;

    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        service.makeBooking(bookingOfSlot(slot, 'soap', { id: invitation.id })),
      ),
    );

    for (const answer of answers)
      assert.ok(answer.ok, `every repeat is answered OK: ${answer.ok ? '' : answer.text}`);
    const ids = new Set(answers.map((a) => (a.ok ? a.value.id : undefined)));
    assert.deepEqual([...ids], [invitation.id], 'the booking is the invitation, the same for all');
    const stored = await store.getBooking(invitation.id);
    assert.equal(stored?.slotId, slot.id);
    assert.equal(stored?.version, invitation.version + 1, 'booked once');
    assert.equal((await store.findActiveBookingOnSlot(slot.id))?.id, invitation.id);
  });
}

describe('a repeated MakeBooking of an open invitation, SQLite', () => {
  repeatedBookingOfAnInvitation(async () => openSqliteStore(':memory:'));
});

describePostgres('a repeated MakeBooking of an open invitation, PostgreSQL', (url) => {
  repeatedBookingOfAnInvitation(async () =>
    openPostgresStore(await freshSchemaUrl(url), { maxConnections: 10 }),
  );
});
