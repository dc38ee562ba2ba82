import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FreshRead } from './fresh-read.ts';

/** A read the test finishes by hand; `started` counts reads begun. */
function manualRead() {
  const pending: ((value: number) => void)[] = [];
  let started = 0;
  const fresh = new FreshRead(
    () =>
      new Promise<number>((resolve) => {
        started += 1;
        pending.push(resolve);
      }),
  );
  return {
    fresh,
    started: () => started,
    /** Ends the oldest read still open with `value`. */
    finish: async (value: number) => {
      pending.shift()!(value);
      // Let the chained next read begin.
      await new Promise((r) => setImmediate(r));
    },
  };
}

void describe('FreshRead', () => {
  void it('shares nothing with a read that began before the caller asked', async () => {
    const m = manualRead();
    const first = m.fresh.get();
    // Asked while the first read runs: a commit just before this call may be
    // missed by it, so this caller must get the next read's answer.
    const second = m.fresh.get();
    assert.equal(m.started(), 1);
    await m.finish(1);
    assert.equal(await first, 1);
    assert.equal(m.started(), 2, 'the next read starts when the running one ends');
    await m.finish(2);
    assert.equal(await second, 2);
  });

  void it('lets everyone who arrived during one read share the next', async () => {
    const m = manualRead();
    const first = m.fresh.get();
    const waiting = [m.fresh.get(), m.fresh.get(), m.fresh.get()];
    await m.finish(1);
    await m.finish(2);
    assert.equal(await first, 1);
    assert.deepEqual(await Promise.all(waiting), [2, 2, 2]);
    assert.equal(m.started(), 2, 'four callers, two reads');
  });

  void it('starts a new read for a caller who comes after the last one ended', async () => {
    const m = manualRead();
    const first = m.fresh.get();
    await m.finish(1);
    assert.equal(await first, 1);
    const later = m.fresh.get();
    assert.equal(m.started(), 2);
    await m.finish(7);
    assert.equal(await later, 7);
  });

  void it('does not hand a failed read to those waiting for the next, and recovers', async () => {
    let calls = 0;
    const fresh = new FreshRead(async () => {
      calls += 1;
      if (calls === 1) throw new Error('connection lost');
      return calls;
    });
    const first = fresh.get();
    const second = fresh.get();
    await assert.rejects(first, /connection lost/);
    assert.equal(await second, 2);
    assert.equal(await fresh.get(), 3);
  });
});
