import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { schedulingInteractions } from '../../src/contracts/scheduling.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { createTestPki, type TestPki } from '../support/test-pki.ts';
import { faultsWithHttp200, startBrokenProducer } from './broken-producer.ts';
import { PERSON_ID_IN_CLEAR } from './verify-support.ts';
import { runTidbok } from '../support/run-tidbok.ts';

const bin = fileURLToPath(new URL('../../bin/tidbok.mjs', import.meta.url));

const cli = (...args: string[]) => runTidbok({}, ...args);

/** Runs `node bin/tidbok.mjs …` (what `npx tidbok` runs) without blocking the in-process producer. */
function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tidbok verify on the command line', () => {
  let t: TestApp;
  let dir: string;
  before(async () => {
    t = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'tidbok-verify-'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one ✔ line per check, grouped by must-have, ends with "N passed, 0 failed" and exits 0', async () => {
    const { code, out } = await cli('verify', t.url, '--facility', FACILITY, '--race', '3');
    assert.equal(code, 0, out.join('\n'));
    const last = out.at(-1)!;
    assert.match(last, /^(\d+) passed, 0 failed$/);
    const checkLines = out.filter((l) => /^ {2}[✔✘] /.test(l));
    assert.equal(checkLines.length, Number(/^(\d+)/.exec(last)![1]));
    assert.ok(checkLines.every((l) => l.startsWith('  ✔ ')));
    assert.ok(out.includes('must-have 3: LogicalAddress'));
    assert.ok(out.includes('verify cleans up after itself'));
    assert.doesNotMatch(out.join('\n'), PERSON_ID_IN_CLEAR);
    assert.match(out[0]!, /patient 19121212-\*\*\*\*/);
  });

  it('--json prints one JSON document with every check, and --report writes the HTML evidence; a failure exits 1', async () => {
    const proxy = await startBrokenProducer(t.url, faultsWithHttp200);
    try {
      const reportFile = join(dir, 'report.html');
      const { code, out, err } = await cli(
        'verify',
        proxy.url,
        '--facility',
        FACILITY,
        '--json',
        '--report',
        reportFile,
      );
      assert.equal(code, 1);
      const report = JSON.parse(out.join('\n')) as {
        passed: number;
        failed: number;
        checks: {
          id: string;
          mustHave: number;
          title: string;
          passed: boolean;
          reason?: string;
          evidence?: unknown[];
        }[];
      };
      assert.equal(report.failed, 1);
      assert.equal(err.at(-1), `${report.passed} passed, 1 failed`);
      for (const c of report.checks) {
        assert.equal(typeof c.id, 'string');
        assert.equal(typeof c.mustHave, 'number');
        assert.equal(typeof c.title, 'string');
        assert.equal(typeof c.passed, 'boolean');
      }
      const failed = report.checks.filter((c) => !c.passed);
      assert.deepEqual(
        failed.map((c) => c.id),
        ['fault-http-500'],
      );
      assert.match(failed[0]!.reason!, /HTTP 200/);
      assert.ok(failed[0]!.evidence!.length > 0);

      const html = readFileSync(reportFile, 'utf8');
      assert.match(html, /^<!doctype html>/);
      assert.match(html, /<li id="fault-http-500"><span class="fail">✘<\/span>/);
      assert.match(html, /&lt;soap:Envelope/, 'the answer is shown escaped');
      assert.doesNotMatch(
        html,
        /<soap:Envelope|<script|\bsrc=|<link/i,
        'no raw XML, no script, no remote assets',
      );
      assert.doesNotMatch(html, PERSON_ID_IN_CLEAR);
      assert.match(html, new RegExp(`${report.passed} passed, 1 failed</p></body></html>`));
    } finally {
      await proxy.close();
    }
  });

  it('takes the contract addresses from --config', async () => {
    const config = join(dir, 'verify.json');
    writeFileSync(
      config,
      JSON.stringify({
        baseUrl: 'http://127.0.0.1:9',
        endpoints: Object.fromEntries(schedulingInteractions.map((i) => [i.name, t.url + i.path])),
      }),
    );
    const { code, out } = await cli(
      'verify',
      '--config',
      config,
      '--facility',
      FACILITY,
      '--read-only',
    );
    assert.equal(code, 0, out.join('\n'));
    assert.match(out.at(-1)!, /^\d+ passed, 0 failed$/);
  });

  it('refuses wrong usage with exit status 2, without echoing a person id', async () => {
    const noFacility = await cli('verify', t.url);
    assert.equal(noFacility.code, 2);
    assert.match(noFacility.err.join('\n'), /--facility/);
    const badPerson = await cli(
      'verify',
      t.url,
      '--facility',
      FACILITY,
      '--subject-of-care',
      '19121212-1212',
    );
    assert.equal(badPerson.code, 2);
    assert.doesNotMatch(badPerson.err.join('\n'), /1212-1212/);
    const badConfig = join(dir, 'bad.json');
    writeFileSync(badConfig, JSON.stringify({ endpoints: { NoSuchOperation: 'http://x' } }));
    const config = await cli('verify', t.url, '--facility', FACILITY, '--config', badConfig);
    assert.equal(config.code, 1);
    assert.match(config.err.join('\n'), /endpoints/);
  });

  describe('over mutual TLS, through the tidbok binary', () => {
    let pki: TestPki;
    let tls: TestApp;
    before(async () => {
      pki = createTestPki();
      tls = await startTestApp({
        tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert },
      });
    });
    after(async () => {
      await tls.close();
      pki.remove();
    });

    const verifyOverTls = (...tlsOptions: string[]) =>
      runBin(['verify', tls.url, '--facility', FACILITY, '--read-only', ...tlsOptions]);

    it('uses --cert, --key and --ca, and exits 0 with the tally last', async () => {
      const client = pki.client('/serialNumber=SE2321000016-VRFY/CN=verify');
      const run = await verifyOverTls(
        ...['--cert', client.certPath, '--key', client.keyPath, '--ca', pki.ca.certPath],
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout.trimEnd().split('\n').at(-1)!, /^\d+ passed, 0 failed$/);
    });

    it('without a client certificate no call gets an answer: the schema checks fail with the reason, exit status 1', async () => {
      const run = await verifyOverTls('--ca', pki.ca.certPath);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /✘ schema-GetAllTimeTypes: .*\n {6}no answer: /);
      assert.match(run.stdout.trimEnd().split('\n').at(-1)!, /^\d+ passed, [1-9]\d* failed$/);
    });
  });
});
