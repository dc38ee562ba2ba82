import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { generateContractFiles } from './generate-files.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hint = 'run `npm run generate:contracts` and commit the result';

function listFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('generated contract files', () => {
  const files = generateContractFiles();

  it('are committed byte for byte as the descriptions generate them', () => {
    for (const file of files) {
      let onDisk: string;
      try {
        onDisk = readFileSync(join(root, file.path), 'utf8');
      } catch {
        assert.fail(`${file.path} is missing: ${hint}`);
      }
      assert.ok(onDisk === file.content, `${file.path} differs from its description: ${hint}`);
    }
  });

  it('leave no stale file in schemas/ or wsdl/', () => {
    const expected = new Set(files.map((f) => f.path));
    const stale = [...listFiles('schemas'), ...listFiles('wsdl')]
      .map((p) => p.split('\\').join('/'))
      .filter((p) => !expected.has(p));
    assert.deepEqual(stale, [], `stale generated files: ${hint}`);
  });

  it('are generated deterministically and sorted by path', () => {
    assert.deepEqual(generateContractFiles(), files);
    const paths = files.map((f) => f.path);
    assert.deepEqual(paths, [...paths].sort());
  });

  it('start with the do-not-edit notice and the Apache-2.0 attribution', () => {
    for (const file of files) {
      const head = file.content.slice(0, 600);
      assert.match(head, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!--/, file.path);
      assert.match(head, /npm run generate:contracts/, file.path);
      assert.match(head, /Inera AB/, file.path);
      assert.match(head, /Apache License, Version 2\.0/, file.path);
    }
  });

  it('publish one WSDL per interaction and the ext schemas of the 1.1 additions', () => {
    const paths = new Set(files.map((f) => f.path));
    for (const op of ['GetAvailableDates', 'GetAvailableTimeslots', 'GetAllTimeTypes'])
      assert.ok(
        paths.has(
          `schemas/crm_scheduling_1.1/interactions/${op}Interaction/${op}Responder_1.1_ext.xsd`,
        ),
        op,
      );
    assert.equal(files.filter((f) => f.path.endsWith('.wsdl')).length, 12);
  });
});
