/**
 * Writes `schemas/` and `wsdl/` from the contract descriptions
 * (`npm run generate:contracts`). Stale files of the generated folders are
 * removed, so a renamed interaction leaves nothing behind.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateContractFiles } from '../src/contracts/generate-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const files = generateContractFiles();
const wanted = new Set(files.map((f) => join(root, f.path)));
for (const folder of ['schemas', 'wsdl']) {
  for (const path of listFiles(join(root, folder))) {
    if (!wanted.has(path)) {
      rmSync(path);
      console.log(`removed ${relative(root, path)}`);
    }
  }
}
for (const file of files) {
  const path = join(root, file.path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, file.content);
}
console.log(`wrote ${files.length} files under schemas/ and wsdl/`);
