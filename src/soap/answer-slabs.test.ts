import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlabPool, SlabWriter } from './answer-slabs.ts';

describe('answer slabs', () => {
  it('hands out the bytes of each text, side by side in one slab, never overlapping', () => {
    const pool = new SlabPool(64, 4);
    const writer = new SlabWriter(pool);
    const texts = ['<a>', 'V\u00e5rd', '', 'x'.repeat(20), '</a>'];
    const views = texts.map(writer.bytesOf);
    views.forEach((view, i) => assert.deepEqual(view, Buffer.from(texts[i]!, 'latin1')));
    assert.equal(pool.created, 1);
    assert.equal(views[0]!.buffer, views[4]!.buffer, 'one slab');
    for (let i = 1; i < views.length; i++)
      assert.equal(views[i]!.byteOffset, views[i - 1]!.byteOffset + views[i - 1]!.length);
  });

  it('takes a new slab when the text does not fit in what is left', () => {
    const pool = new SlabPool(16, 4);
    const writer = new SlabWriter(pool);
    const first = writer.bytesOf('a'.repeat(10));
    const second = writer.bytesOf('b'.repeat(10));
    assert.notEqual(first.buffer, second.buffer);
    assert.equal(pool.created, 2);
    assert.equal(first.toString('latin1'), 'a'.repeat(10), 'the first text is not overwritten');
  });

  it('gives a text longer than a slab memory of its own, outside the pool', () => {
    const pool = new SlabPool(16, 4);
    const writer = new SlabWriter(pool);
    const long = writer.bytesOf('z'.repeat(40));
    assert.equal(long.toString('latin1'), 'z'.repeat(40));
    assert.equal(pool.created, 0);
    writer.release();
    assert.equal(pool.idle, 0);
  });

  it('reuses the slabs given back, and keeps no more idle than asked', () => {
    const pool = new SlabPool(16, 2);
    const a = new SlabWriter(pool);
    for (let i = 0; i < 3; i++) a.bytesOf('a'.repeat(16));
    assert.equal(pool.created, 3);
    a.release();
    assert.equal(pool.idle, 2, 'the third slab is left to the collector');
    const b = new SlabWriter(pool);
    assert.equal(b.bytesOf('b'.repeat(16)).toString('latin1'), 'b'.repeat(16));
    b.bytesOf('c');
    assert.equal(pool.created, 3, 'both slabs came from the pool');
    assert.equal(pool.idle, 0);
  });
});
