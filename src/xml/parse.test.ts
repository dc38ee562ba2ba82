import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlParseError, parseXml } from './parse.ts';

const GOOD =
  '<?xml version="1.0"?><a:root xmlns:a="urn:a" a:x="1"><a:child>text</a:child><plain/></a:root>';

/** The tree as plain data, to compare parses. */
const shape = (source: string): unknown => JSON.parse(JSON.stringify(parseXml(source), replacer));
const replacer = (_key: string, value: unknown) =>
  value instanceof Map ? Object.fromEntries(value) : value;

describe('parseXml, one parser reused', () => {
  const alone = shape(GOOD);

  it('reads a document the same after documents that stopped half-way', () => {
    for (const broken of [
      '<a:root xmlns:a="urn:a"><a:child>',
      '<root><child></root>',
      '<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>',
      '<root>&undefined;</root>',
      'not xml at all',
      '',
    ]) {
      assert.throws(() => parseXml(broken), XmlParseError, broken);
      assert.deepEqual(shape(GOOD), alone, `after ${JSON.stringify(broken)}`);
    }
  });

  it('applies each call its own limits', () => {
    assert.throws(() => parseXml(GOOD, { maxDepth: 1, maxElements: 100 }), /deeper than 1/);
    assert.throws(() => parseXml(GOOD, { maxDepth: 64, maxElements: 2 }), /more than 2 elements/);
    assert.deepEqual(shape(GOOD), alone);
  });

  it('gives each document a tree of its own', () => {
    const first = parseXml(GOOD);
    const second = parseXml('<other>x</other>');
    assert.equal(first.local, 'root');
    assert.equal(first.children.length, 2);
    assert.equal(second.local, 'other');
    assert.equal(second.text, 'x');
    assert.equal(first.attributes.get('{urn:a}x'), '1');
  });
});
