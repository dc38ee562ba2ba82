import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { checks, mustHaveTitles } from '../../src/verify/check-catalogue.ts';

const doc = readFileSync(new URL('../../docs/verify.md', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

it('docs/verify.md lists every check with its must-have, and the README links to it', () => {
  for (const check of Object.values(checks)) {
    const row = new RegExp(`^\\| \`${check.id}\` +\\| ${check.mustHave || '–'} +\\|`, 'm');
    assert.match(doc, row, `${check.id} is in the table under must-have ${check.mustHave}`);
    assert.ok(mustHaveTitles[check.mustHave], `must-have ${check.mustHave} has a title`);
  }
  assert.match(readme, /## Verify a producer[\s\S]*\(docs\/verify\.md\)/);
});
