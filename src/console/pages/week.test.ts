import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { weekOf } from './week.ts';

describe('the console week', () => {
  const now = Date.parse('2026-12-09T10:00:00Z');

  it('runs Monday to Sunday in Stockholm time and marks today', () => {
    const week = weekOf(undefined, now);
    assert.equal(week.monday, '2026-12-07');
    assert.deepEqual(
      week.days.map((d) => d.date),
      [
        '2026-12-07',
        '2026-12-08',
        '2026-12-09',
        '2026-12-10',
        '2026-12-11',
        '2026-12-12',
        '2026-12-13',
      ],
    );
    assert.deepEqual(
      week.days.filter((d) => d.isToday).map((d) => d.date),
      ['2026-12-09'],
    );
    assert.equal(week.fromUtcMs, Date.parse('2026-12-06T23:00:00Z'));
    assert.equal(week.previous, '2026-11-30');
    assert.equal(week.next, '2026-12-14');
  });

  it('has a 23-hour Sunday in the spring DST week and a 25-hour one in the autumn', () => {
    const spring = weekOf('2027-03-25', now);
    assert.equal(spring.toUtcMs - spring.fromUtcMs, 7 * 24 * 3600_000 - 3600_000);
    const autumn = weekOf('2026-10-25', now);
    assert.equal(autumn.toUtcMs - autumn.fromUtcMs, 7 * 24 * 3600_000 + 3600_000);
    assert.equal(autumn.fromUtcMs, Date.parse('2026-10-18T22:00:00Z'));
  });

  it('falls back to this week for something that is not a date', () => {
    assert.equal(weekOf('not-a-date', now).monday, '2026-12-07');
  });
});
