/**
 * `tidbok import` as staff run it: a child process on a temporary database.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { changedRows, type ImportReport } from '../../src/calendar/import-calendar.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/tidbok.mjs');
const demo = join(root, 'fixtures/demo-calendar.json');

function tidbok(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', TIDBOK_DB: '', TIDBOK_DEBUG: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const changes = changedRows;

void describe('tidbok import', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-import-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  void it('creates the demo calendar on the first run and changes nothing on the second', () => {
    const db = join(dir, 'twice.db');
    const first = tidbok(['import', demo, '--db', db, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const created = JSON.parse(first.stdout) as ImportReport;
    assert.equal(created.facilities.created, 3);
    assert.equal(created.invitations.created, 2);
    assert.ok(created.timeslots.created > 1000, 'templates cover the coming 90 days');

    const second = tidbok(['import', demo, '--db', db]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^ {2}facilities +0 created, 0 changed, 3 unchanged$/m);
    assert.match(second.stdout, /^No changes: the store already held this calendar\.$/m);
    const third = JSON.parse(tidbok(['import', demo, '--db', db, '--json']).stdout) as ImportReport;
    assert.equal(changes(third), 0);
  });

  void it('writes to the store TIDBOK_DB names when --db is not given', () => {
    const db = join(dir, 'from-env.db');
    const result = tidbok(['import', demo, '--horizon', '7'], { TIDBOK_DB: db });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(db));
    assert.match(result.stdout, /templates cover 7 days/);
  });

  void it('exits 1 with every problem of a bad file and no stack trace', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        facilities: [
          {
            hsaId: 'SE2321000016-1hz5',
            name: 'Vårdcentralen Kungsholmen',
            webBookingEnabled: true,
            timeTypes: [{ name: 'Provtagning', cancelAllowed: true, rebookAllowed: true }],
            invitations: [
              {
                id: 'inv-1',
                subjectOfCare: '191299121212',
                firstName: 'Tolvan',
                lastName: 'Tolvansson',
                timeTypeId: 'prov',
                purpose: 'Kallelse',
              },
            ],
          },
        ],
      }),
    );
    const db = join(dir, 'bad.db');
    const result = tidbok(['import', bad, '--db', db]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^tidbok import: the calendar file has 4 problems:$/m);
    assert.match(result.stderr, /facilities\[0\]\.timeTypes\[0\]\.id: required/);
    assert.match(result.stderr, /facilities\[0\]\.timeTypes\[0\]\.messageAllowed: required/);
    assert.match(result.stderr, /facilities\[0\]\.invitations\[0\]\.subjectOfCare: /);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(result.stderr, /191299121212|99121212/, 'no personnummer');
    assert.equal(existsSync(db), false, 'a bad file opens no store');
  });

  void it('exits 1 naming the line and column of a file that is not JSON', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(
      broken,
      '{\n  "facilities": [\n    { "hsaId": "SE2321000016-1hz5" "name": "x" }\n  ]\n}\n',
    );
    const result = tidbok(['import', broken, '--db', join(dir, 'broken.db')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\(the file\): is not valid JSON \(line 3, column 36\)/);
  });

  void it('exits 1 for a file that does not exist and 2 for wrong usage', () => {
    const missing = tidbok(['import', join(dir, 'nowhere.json'), '--db', join(dir, 'x.db')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such file/);
    assert.equal(tidbok(['import']).code, 2);
    const horizon = tidbok(['import', demo, '--horizon', 'soon']);
    assert.equal(horizon.code, 2);
    assert.match(horizon.stderr, /--horizon must be a number of days/);
    assert.equal(tidbok(['import', demo, '--dry']).code, 2);
  });
});

void describe('tidbok', () => {
  void it('lists its commands with --help', () => {
    const result = tidbok(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: tidbok <command>/);
    assert.match(result.stdout, /^ {2}import +Load a calendar file/m);
  });

  void it('shows the options of a command with <command> --help', () => {
    const result = tidbok(['import', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--horizon <days>/);
  });

  void it('exits 2 for an unknown command', () => {
    const result = tidbok(['frobnicate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
  });
});
