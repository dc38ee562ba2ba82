import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPurpose, purposeAsSent } from './invitation-text.ts';

const BODY =
  '<info><title>Kallelse</title></info><para>Välkommen &amp; ta med remissen.</para>' +
  '<section><title>Förberedelser</title><para>Kom fastande.</para></section>';
const GUIDE = `<?xml version="1.0"?><article>${BODY}</article>`;
const DOCBOOK5 = `<article xmlns="http://docbook.org/ns/docbook" version="5.0">${BODY}</article>`;

void describe('checkPurpose', () => {
  void it('accepts plain text', () => {
    assert.equal(checkPurpose('Kallelse till årskontroll. Ta med dina mediciner.'), undefined);
  });

  void it("accepts the guide's article without a namespace and a DocBook 5 article", () => {
    assert.equal(checkPurpose(GUIDE), undefined);
    assert.equal(checkPurpose(DOCBOOK5), undefined);
  });

  void it('rejects elements 1177 does not show, in either form', () => {
    for (const ns of ['', ' xmlns="http://docbook.org/ns/docbook"'])
      assert.match(
        checkPurpose(`<article${ns}><para><emphasis>Viktigt</emphasis></para></article>`) ?? '',
        /<emphasis> is not one 1177 shows/,
      );
  });

  void it('rejects another root, another namespace, a mix of the two forms, and broken XML', () => {
    assert.match(checkPurpose('<para>x</para>') ?? '', /must be an <article>/);
    assert.match(
      checkPurpose('<article xmlns="urn:x"><para>x</para></article>') ?? '',
      /<article>/,
    );
    assert.match(
      checkPurpose('<article><para xmlns="http://docbook.org/ns/docbook">x</para></article>') ?? '',
      /<para> is not one/,
    );
    assert.match(
      checkPurpose('<article xmlns="http://docbook.org/ns/docbook">') ?? '',
      /well-formed/,
    );
  });

  void it('rejects text beside elements, which the guide form could not carry', () => {
    assert.match(checkPurpose('<article>Hej<para>x</para></article>') ?? '', /mixes text/);
  });
});

void describe('purposeAsSent', () => {
  void it("sends the guide's form as it is and DocBook 5 in the same form", () => {
    assert.equal(purposeAsSent(GUIDE), GUIDE);
    assert.equal(purposeAsSent(DOCBOOK5), GUIDE);
  });

  void it('drops whitespace between elements and keeps text escaped', () => {
    const spaced = `<article>\n  <para>a &lt; b</para>\n</article>`;
    assert.equal(
      purposeAsSent(spaced),
      '<?xml version="1.0"?><article><para>a &lt; b</para></article>',
    );
  });

  void it('leaves plain text and refused text unchanged', () => {
    assert.equal(purposeAsSent('Välkommen på vaccination.'), 'Välkommen på vaccination.');
    assert.equal(purposeAsSent('<article><table/></article>'), '<article><table/></article>');
  });
});
