#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's own test runner (through tsx).
// Node 20 takes no glob patterns after --test, so the file list is built here.
// Extra arguments are passed to the runner (e.g. a single file to run).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
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
// Every test app (test/support/test-app.ts) and every spawned server logs here at debug level;
// after the run, each line is searched for a person id in clear.
const appLogDir = join(logDir, 'app-logs');
mkdirSync(appLogDir);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...args, ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, TIDBOK_VALIDATION_LOG: validationLog, TIDBOK_TEST_LOG_DIR: appLogDir },
  },
);
const lines = existsSync(validationLog)
  ? readFileSync(validationLog, 'utf8').split('\n').filter(Boolean)
  : [];
const byKind = new Map();
for (const line of lines) byKind.set(line, (byKind.get(line) ?? 0) + 1);
console.log(`# documents validated against the national XSDs: ${lines.length}`);
for (const [kind, n] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`#   ${n}\t${kind}`);

// A personnummer or samordningsnummer in any spelling, with no digit either side: 12 digits
// (yyyyMMdd) or 10 (yyMMdd, only when that is a date: organisation numbers and the digits in
// HSA-ids are not), then `-`, `+` or nothing, then four more (a letter in the ninth place for a
// reserve number). Masked ids read `yyyyMMdd-****` or `yyMMdd-****`.
const PERSON_ID =
  /(?<![0-9])(?:[0-9]{8}|([0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])))[-+]?[0-9pPtTfF][0-9]{3}(?![0-9])/g;
let logLines = 0;
const leaks = [];
for (const name of readdirSync(appLogDir).sort()) {
  const lines = readFileSync(join(appLogDir, name), 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    logLines += 1;
    for (const match of line.matchAll(PERSON_ID))
      leaks.push(`${name}:${i + 1}: ${match[0].slice(0, match[1] ? 6 : 8)}-**** in clear`);
  });
}
console.log(`# log lines searched for person ids in clear: ${logLines}`);
if (leaks.length > 0) {
  console.error(`# FAIL: ${leaks.length} log line(s) hold a person id in clear (masked here):`);
  for (const leak of leaks.slice(0, 50)) console.error(`#   ${leak}`);
  console.error(`# the logs are kept in ${appLogDir}`);
  process.exit(1);
}
rmSync(logDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
