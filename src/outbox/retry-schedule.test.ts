import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RetrySchedule } from './retry-schedule.ts';

describe('RetrySchedule', () => {
  it('doubles the ceiling with each attempt from the base', () => {
    const schedule = new RetrySchedule({ baseMs: 1000, capMs: 300_000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((a) => schedule.ceilingMs(a)),
      [1000, 2000, 4000, 8000, 16000],
    );
  });

  it('never lets the ceiling pass the cap, however many attempts', () => {
    const schedule = new RetrySchedule({ baseMs: 1000, capMs: 300_000 });
    assert.equal(schedule.ceilingMs(9), 256_000);
    assert.equal(schedule.ceilingMs(10), 300_000);
    assert.equal(schedule.ceilingMs(10_000), 300_000);
  });

  it('draws the delay uniformly between zero and the ceiling (full jitter)', () => {
    const low = new RetrySchedule({ baseMs: 1000, capMs: 300_000, random: () => 0 });
    const mid = new RetrySchedule({ baseMs: 1000, capMs: 300_000, random: () => 0.5 });
    const high = new RetrySchedule({ baseMs: 1000, capMs: 300_000, random: () => 0.999999 });
    assert.equal(low.delayMs(3), 0);
    assert.equal(mid.delayMs(3), 2000);
    assert.equal(high.delayMs(3), 3999);
  });

  it('waits at least as long as the target asked', () => {
    const schedule = new RetrySchedule({ baseMs: 1000, capMs: 300_000, random: () => 0.5 });
    assert.equal(schedule.delayMs(1, 30_000), 30_000);
    assert.equal(schedule.delayMs(1, 100), 500);
  });

  it('defaults to a one-second base and a five-minute cap', () => {
    const schedule = new RetrySchedule();
    assert.equal(schedule.ceilingMs(1), 1000);
    assert.equal(schedule.ceilingMs(100), 300_000);
  });
});
