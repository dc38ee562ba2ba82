import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnSharedRead } from './turn-shared-read.ts';

/** A read the test finishes by hand; `started` counts reads begun. */
function manualRead() {
  const pending: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  let started = 0;
  const shared = new TurnSharedRead(
    () =>
      new Promise<number>((resolve, reject) => {
        started += 1;
        pending.push({ resolve, reject });
      }),
  );
  return {
    shared,
    started: () => started,
    /** Ends the oldest read still open. */
    finish: (value: number) => pending.shift()!.resolve(value),
    fail: (error: Error) => pending.shift()!.reject(error),
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

void describe('TurnSharedRead', () => {
  void it('gives the calls of one turn one read, begun after the last of them', async () => {
    const m = manualRead();
    const calls = [m.shared.get(), m.shared.get()];
    await Promise.resolve();
    calls.push(m.shared.get());
    assert.equal(m.started(), 0, 'nothing begins before the turn ends');
    await nextTurn();
    assert.equal(m.started(), 1);
    m.finish(7);
    assert.deepEqual(await Promise.all(calls), [7, 7, 7]);
  });

  void it('never gives a call the answer of a read that began before it', async () => {
    const m = manualRead();
    const first = m.shared.get();
    await nextTurn();
    assert.equal(m.started(), 1);
    // A commit just before this call may be missed by the running read.
    const second = m.shared.get();
    await nextTurn();
    assert.equal(m.started(), 2, 'a read of its own, without waiting for the running one');
    m.finish(1);
    m.finish(2);
    assert.equal(await first, 1);
    assert.equal(await second, 2);
  });

  void it('rejects every call sharing a failed read, and reads again for the next', async () => {
    const m = manualRead();
    const calls = [m.shared.get(), m.shared.get()];
    await nextTurn();
    m.fail(new Error('connection lost'));
    for (const call of calls) await assert.rejects(call, /connection lost/);
    const again = m.shared.get();
    await nextTurn();
    assert.equal(m.started(), 2);
    m.finish(3);
    assert.equal(await again, 3);
  });
});
