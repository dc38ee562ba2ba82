import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryAfterMs } from './retry-after.ts';

describe('retryAfterMs', () => {
  it('reads delay-seconds', () => {
    assert.equal(retryAfterMs('120'), 120_000);
    assert.equal(retryAfterMs(' 0 '), 0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    assert.equal(retryAfterMs('Sun, 06 Dec 2026 10:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('Sun, 06 Dec 2026 09:00:00 GMT', now), 0);
  });

  it('ignores what it cannot read', () => {
    assert.equal(retryAfterMs(undefined), undefined);
    assert.equal(retryAfterMs(''), undefined);
    assert.equal(retryAfterMs('-5'), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });

  it('takes the first of repeated headers', () => {
    assert.equal(retryAfterMs(['3', '9']), 3_000);
  });
});
