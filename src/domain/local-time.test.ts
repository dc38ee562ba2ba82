import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endOfDt, startOfDt } from './local-time.ts';

void describe('date ranges as instants', () => {
  void it('starts a date at Stockholm midnight, in winter and in summer time', () => {
    assert.equal(startOfDt('20270115'), Date.UTC(2027, 0, 14, 23));
    assert.equal(startOfDt('20270715'), Date.UTC(2027, 6, 14, 22));
  });

  void it('ends a date at the next midnight, 23 or 25 hours later on the days the clocks change', () => {
    assert.equal(endOfDt('20270328') - startOfDt('20270328'), 23 * 3_600_000);
    assert.equal(endOfDt('20271031') - startOfDt('20271031'), 25 * 3_600_000);
    assert.equal(endOfDt('20270115'), startOfDt('20270116'));
  });

  void it('answers the same on a repeated call as on the first', () => {
    const first = [startOfDt('20261224'), endOfDt('20261224')];
    assert.deepEqual([startOfDt('20261224'), endOfDt('20261224')], first);
  });
});
