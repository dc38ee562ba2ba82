import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskPersonIdsInText } from '../domain/personnummer.ts';
import { logSafeUuid } from './log-safe-id.ts';

describe('logSafeUuid', () => {
  it('skips a UUID whose last group reads as a personnummer, which the log would mask', () => {
    const unlucky = 'b4dd525d-8c92-453a-b67e-493039471234';
    assert.notEqual(maskPersonIdsInText(unlucky), unlucky);
    const ids = [unlucky, 'b4dd525d-8c92-453a-b67e-4930a947f12c'];
    assert.equal(
      logSafeUuid(() => ids.shift()!),
      'b4dd525d-8c92-453a-b67e-4930a947f12c',
    );
  });

  it('gives UUIDs that pass the mask unchanged', () => {
    for (let i = 0; i < 2000; i++) {
      const id = logSafeUuid();
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(maskPersonIdsInText(id), id);
    }
  });
});
