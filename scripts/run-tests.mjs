#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's own test runner (through tsx).
// Node 20 takes no glob patterns after --test, so the file list is built here.
// Extra arguments are passed to the runner (e.g. a single file to run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function find(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const files = args.some((a) => a.endsWith('.ts')) ? [] : [...find('src'), ...find('test')].sort();
// Every validation against the national XSDs appends a line here (test/support/national-schemas.ts),
// so the run can say how many documents were checked in all.
const logDir = mkdtempSync(join(tmpdir(), 'tidbok-validations-'));
const validationLog = join(logDir, 'validations.log');
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...args, ...files],
  { stdio: 'inherit', env: { ...process.env, TIDBOK_VALIDATION_LOG: validationLog } },
);
const lines = existsSync(validationLog)
  ? readFileSync(validationLog, 'utf8').split('\n').filter(Boolean)
  : [];
const byKind = new Map();
for (const line of lines) byKind.set(line, (byKind.get(line) ?? 0) + 1);
console.log(`# documents validated against the national XSDs: ${lines.length}`);
for (const [kind, n] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`#   ${n}\t${kind}`);
rmSync(logDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
