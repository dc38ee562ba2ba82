import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReferenceCache } from './reference-cache.ts';
import type { Statements } from './statements.ts';

/** A cache over a database whose booking histories the test sets, counting the reads that reach it. */
function cacheOver(histories: Set<string>) {
  const reads: string[] = [];
  const statements = {
    hasBookingHistory(facility: string, subjectOfCare: string) {
      reads.push(`${facility} ${subjectOfCare}`);
      return histories.has(`${facility.toLowerCase()} ${subjectOfCare}`);
    },
  } as unknown as Statements;
  const cache = new ReferenceCache(<T>(statement: (s: Statements) => T | Promise<T>): Promise<T> =>
    Promise.resolve(statement(statements)),
  );
  return { cache, reads };
}

describe('ReferenceCache: booking histories', () => {
  it('reads a history once per calendar version, and again at a new version', async () => {
    const histories = new Set<string>();
    const { cache, reads } = cacheOver(histories);
    assert.equal(await cache.bookingHistory('v1', 'SE-F1', '191212121212'), false);
    assert.equal(await cache.bookingHistory('v1', 'SE-F1', '191212121212'), false);
    assert.equal(reads.length, 1, 'a repeated question at one version is answered from the cache');
    histories.add('se-f1 191212121212');
    assert.equal(await cache.bookingHistory('v2', 'SE-F1', '191212121212'), true);
    assert.equal(reads.length, 2, 'read again at the version a booking made');
  });

  it('keys by the exact spelling and by patient, never answering one from another', async () => {
    const { cache, reads } = cacheOver(new Set(['se-f1 191212121212']));
    assert.equal(await cache.bookingHistory('v1', 'SE-F1', '191212121212'), true);
    assert.equal(await cache.bookingHistory('v1', 'se-f1', '191212121212'), true);
    assert.equal(await cache.bookingHistory('v1', 'SE-F1', '198509131068'), false);
    assert.deepEqual(reads, ['SE-F1 191212121212', 'se-f1 191212121212', 'SE-F1 198509131068']);
  });
});
