import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prettyXml } from './pretty-xml.ts';

describe('prettyXml', () => {
  it('puts each element on its own line, indented by depth, text inline', () => {
    const xml = '<?xml version="1.0"?><a:E xmlns:a="urn:x"><a:B><c>1</c><d/></a:B></a:E>';
    assert.equal(
      prettyXml(xml),
      [
        '<?xml version="1.0"?>',
        '<a:E xmlns:a="urn:x">',
        '  <a:B>',
        '    <c>1</c>',
        '    <d/>',
        '  </a:B>',
        '</a:E>',
      ].join('\n'),
    );
  });
});
