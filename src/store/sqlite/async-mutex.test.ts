import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AsyncMutex } from './async-mutex.ts';

void describe('AsyncMutex', () => {
  void it('runs tasks one at a time in call order even when earlier ones wait longer', async () => {
    const mutex = new AsyncMutex();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`start ${name}`);
      await sleep(ms);
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      mutex.run(task('a', 20)),
      mutex.run(task('b', 1)),
      mutex.run(task('c', 5)),
    ]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  void it('keeps running later tasks after one rejects', async () => {
    const mutex = new AsyncMutex();
    const failing = mutex.run(async () => {
      throw new Error('boom');
    });
    const next = mutex.run(async () => 'ran');
    await assert.rejects(failing, /boom/);
    assert.equal(await next, 'ran');
  });
});
