import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aFacilityJson,
  aTimeTypeJson,
  FIXTURE_FACILITY,
  FIXTURE_PERFORMER,
} from '../../test/support/calendar-file-fixture.ts';
import { CalendarFileError, parseCalendarFile } from './calendar-file.ts';
import { expandCalendar, timeslotIdFor } from './expand-calendar.ts';
import type { ExpandedCalendar } from './expand-calendar.ts';

const FACILITY = FIXTURE_FACILITY;
const DOCTOR = FIXTURE_PERFORMER;

interface FacilityOverrides {
  schedules?: unknown[];
  timeslots?: unknown[];
  invitations?: unknown[];
}

function file(overrides: FacilityOverrides = {}) {
  return parseCalendarFile({
    facilities: [
      aFacilityJson({
        partnerFacilities: ['SE2321000016-7p3k'],
        timeTypes: [aTimeTypeJson({ bookingInfo: 'Kom fastande' })],
        performers: [{ hsaId: DOCTOR, firstName: 'Anna', lastName: 'Berg', title: 'Leg. läkare' }],
        schedules: overrides.schedules ?? [],
        timeslots: overrides.timeslots ?? [],
        invitations: overrides.invitations ?? [],
      }),
    ],
  });
}

const mondayMorning = {
  timeTypeId: 'prov',
  performer: DOCTOR,
  weekdays: ['mon'],
  from: '08:00',
  to: '09:00',
  slotMinutes: 20,
};

/** The half-hour slots of one Sunday night (`sunday`, yyyyMMdd), `from` to `to`. */
const sundayNight = (sunday: string, from: string, to: string) =>
  expandCalendar(
    file({ schedules: [{ timeTypeId: 'prov', weekdays: ['sun'], from, to, slotMinutes: 30 }] }),
    { todayDt: sunday, horizonDays: 1 },
  );

const startsOf = (result: ExpandedCalendar) => result.timeslots.map((s) => s.start.ts);

function expansionProblems(f: ReturnType<typeof file>, todayDt: string): readonly string[] {
  try {
    expandCalendar(f, { todayDt });
  } catch (err) {
    if (err instanceof CalendarFileError) return err.problems;
    throw err;
  }
  assert.fail('expected the expansion to be rejected');
}

void describe('expandCalendar', () => {
  void it('turns a weekly template into slots on its weekdays within the horizon', () => {
    // 2027-01-04 is a Monday; a 14-day horizon covers two Mondays.
    const result = expandCalendar(file({ schedules: [mondayMorning] }), {
      todayDt: '20270102',
      horizonDays: 14,
    });
    assert.deepEqual(startsOf(result), [
      '20270104080000',
      '20270104082000',
      '20270104084000',
      '20270111080000',
      '20270111082000',
      '20270111084000',
    ]);
    const first = result.timeslots[0]!;
    assert.equal(first.end.ts, '20270104082000');
    assert.equal(first.start.utcMs, Date.UTC(2027, 0, 4, 7, 0));
    assert.equal(first.facility, FACILITY);
    assert.equal(first.performer, DOCTOR);
    assert.equal(first.careTypeId, 'lab', 'the time type serves only lab, so the slot gets it');
  });

  void it('covers 90 days, today included, by default', () => {
    const daily = { ...mondayMorning, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] };
    const result = expandCalendar(file({ schedules: [{ ...daily, to: '08:20' }] }), {
      todayDt: '20270101',
    });
    assert.equal(result.timeslots.length, 90);
    assert.equal(result.timeslots.at(-1)!.start.ts, '20270331080000');
  });

  void it('keeps a template within its validFrom and validTo', () => {
    const result = expandCalendar(
      file({
        schedules: [{ ...mondayMorning, to: '08:20', validFrom: '20270105', validTo: '20270125' }],
      }),
      { todayDt: '20270101' },
    );
    assert.deepEqual(startsOf(result), ['20270111080000', '20270118080000', '20270125080000']);
  });

  void it('gives the same ids to the same slots on every expansion, and on a later day only adds new days', () => {
    const f = file({ schedules: [mondayMorning] });
    const first = expandCalendar(f, { todayDt: '20270102', horizonDays: 14 });
    const again = expandCalendar(f, { todayDt: '20270102', horizonDays: 14 });
    const later = expandCalendar(f, { todayDt: '20270109', horizonDays: 14 });
    assert.deepEqual(again.timeslots, first.timeslots);
    const laterIds = new Set(later.timeslots.map((s) => s.id));
    const shared = first.timeslots.filter((s) => laterIds.has(s.id)).map((s) => s.start.ts);
    assert.deepEqual(shared, ['20270111080000', '20270111082000', '20270111084000']);
    assert.equal(new Set([...first.timeslots, ...later.timeslots].map((s) => s.id)).size, 9);
  });

  void it('skips slots whose start or end falls in the spring DST gap', () => {
    // 2027-03-28 is the Sunday summer time begins: 02:00–02:59 do not exist.
    const result = sundayNight('20270328', '01:30', '03:30');
    assert.deepEqual(startsOf(result), ['20270328030000']);
    assert.equal(result.timeslots[0]!.start.utcMs, Date.UTC(2027, 2, 28, 1, 0));
  });

  void it('uses the first occurrence of the repeated autumn hour', () => {
    // 2027-10-31 is the Sunday summer time ends: 02:00–02:59 happen twice.
    const result = sundayNight('20271031', '02:00', '03:00');
    assert.deepEqual(
      result.timeslots.map((s) => [s.start.ts, s.start.utcMs, s.end.ts, s.end.utcMs]),
      [
        [
          '20271031020000',
          Date.UTC(2027, 9, 31, 0, 0),
          '20271031023000',
          Date.UTC(2027, 9, 31, 0, 30),
        ],
        // The wall-clock end 03:00 exists once (winter time), so this slot lasts 90 real minutes.
        [
          '20271031023000',
          Date.UTC(2027, 9, 31, 0, 30),
          '20271031030000',
          Date.UTC(2027, 9, 31, 2, 0),
        ],
      ],
    );
  });

  void it('leaves out slots that start before now', () => {
    const result = expandCalendar(file({ schedules: [mondayMorning] }), {
      todayDt: '20270104',
      nowUtcMs: Date.UTC(2027, 0, 4, 7, 10),
      horizonDays: 1,
    });
    assert.deepEqual(startsOf(result), ['20270104082000', '20270104084000']);
  });

  void it('keeps the id of an explicit slot, and derives one when it has none', () => {
    const result = expandCalendar(
      file({
        timeslots: [
          { id: 'extra-1', start: '20270104130000', end: '20270104133000', timeTypeId: 'prov' },
          {
            start: '20270104140000',
            end: '20270104143000',
            timeTypeId: 'prov',
            resourceId: 'rum1',
          },
        ],
      }),
      { todayDt: '20270101' },
    );
    assert.deepEqual(
      result.timeslots.map((s) => s.id),
      [
        'extra-1',
        timeslotIdFor({
          facility: FACILITY,
          startTs: '20270104140000',
          resourceId: 'rum1',
          timeTypeId: 'prov',
        }),
      ],
    );
    assert.match(result.timeslots[1]!.id, /^ts-[0-9a-f]{16}$/);
  });

  void it('derives the same slot id whatever the case of the HSA-ids', () => {
    const a = timeslotIdFor({
      facility: FACILITY,
      startTs: '20270104080000',
      performer: DOCTOR,
      timeTypeId: 'prov',
    });
    const b = timeslotIdFor({
      facility: FACILITY.toUpperCase(),
      startTs: '20270104080000',
      performer: DOCTOR.toUpperCase(),
      timeTypeId: 'prov',
    });
    const other = timeslotIdFor({
      facility: FACILITY,
      startTs: '20270104082000',
      performer: DOCTOR,
      timeTypeId: 'prov',
    });
    assert.equal(a, b);
    assert.notEqual(a, other);
  });

  void it('rejects templates that make the same slot twice, once per pair', () => {
    const problems = expansionProblems(
      file({ schedules: [mondayMorning, { ...mondayMorning, from: '08:40', to: '09:40' }] }),
      '20270101',
    );
    assert.deepEqual(problems, [
      'facilities[0].schedules[1]: makes the same timeslot (20270104084000, same time type, performer and resource) as facilities[0].schedules[0]',
    ]);
  });

  void it('maps the facility, its types, performers and resources onto the domain', () => {
    const result = expandCalendar(file(), { todayDt: '20270101' });
    assert.deepEqual(result.facilities, [
      {
        hsaId: FACILITY,
        name: 'Vårdcentralen Kungsholmen',
        webBookingEnabled: true,
        partnerFacilities: ['SE2321000016-7p3k'],
      },
    ]);
    // The file's time type, in its facility, with the defaults filled in.
    assert.deepEqual(result.timeTypes, [
      {
        facility: FACILITY,
        ...aTimeTypeJson({ bookingInfo: 'Kom fastande' }),
        webBookable: true,
        audience: 'everyone',
      },
    ]);
    assert.deepEqual(result.careTypes, [{ facility: FACILITY, id: 'lab', name: 'Laboratorium' }]);
    assert.deepEqual(result.performers, [
      {
        facility: FACILITY,
        hsaId: DOCTOR,
        firstName: 'Anna',
        lastName: 'Berg',
        title: 'Leg. läkare',
      },
    ]);
    assert.deepEqual(result.resources, [{ facility: FACILITY, id: 'rum1', name: 'Provrum 1' }]);
  });
});

void describe('expandCalendar with invitations', () => {
  const person = {
    subjectOfCare: '191212121212',
    firstName: 'Tolvan',
    lastName: 'Tolvansson',
    timeTypeId: 'prov',
    purpose: 'Kallelse till provtagning.',
  };

  void it('ties a timed invitation to the slot with its start, end and time type', () => {
    const result = expandCalendar(
      file({
        schedules: [mondayMorning],
        invitations: [{ ...person, id: 'inv-1', start: '20270104082000', end: '20270104084000' }],
      }),
      { todayDt: '20270101' },
    );
    const slot = result.timeslots.find((s) => s.start.ts === '20270104082000')!;
    assert.deepEqual(result.invitations, [
      {
        id: 'inv-1',
        facility: FACILITY,
        subjectOfCare: '191212121212',
        patient: { firstName: 'Tolvan', lastName: 'Tolvansson' },
        timeTypeId: 'prov',
        purpose: 'Kallelse till provtagning.',
        careTypeId: 'lab',
        performer: DOCTOR,
        slotId: slot.id,
        start: slot.start,
        end: slot.end,
      },
    ]);
  });

  void it('rejects a timed invitation that matches no slot', () => {
    const problems = expansionProblems(
      file({
        schedules: [mondayMorning],
        invitations: [{ ...person, id: 'inv-1', start: '20270104081000', end: '20270104083000' }],
      }),
      '20270101',
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^facilities\[0\]\.invitations\[0\]: no free timeslot/);
  });

  void it('does not tie two timed invitations to one slot', () => {
    const timed = { ...person, start: '20270104080000', end: '20270104082000' };
    const problems = expansionProblems(
      file({
        schedules: [mondayMorning],
        invitations: [
          { ...timed, id: 'inv-1' },
          { ...timed, id: 'inv-2' },
        ],
      }),
      '20270101',
    );
    assert.match(problems[0]!, /^facilities\[0\]\.invitations\[1\]: no free timeslot/);
  });

  void it('keeps open invitations, and leaves out expired open ones and past timed ones', () => {
    const result = expandCalendar(
      file({
        timeslots: [{ start: '20270104080000', end: '20270104082000', timeTypeId: 'prov' }],
        invitations: [
          { ...person, id: 'open', expiresOn: '20270110' },
          { ...person, id: 'expired', expiresOn: '20270104' },
          { ...person, id: 'past', start: '20270104080000', end: '20270104082000' },
        ],
      }),
      { todayDt: '20270105' },
    );
    assert.deepEqual(
      result.invitations.map((i) => [i.id, i.expiresOn, i.slotId]),
      [['open', '20270110', undefined]],
    );
  });
});
