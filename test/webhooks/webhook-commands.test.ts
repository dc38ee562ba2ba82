/**
 * `tidbok webhook add|list|rotate|enable|remove` on a temporary SQLite store:
 * what staff see, the JSON scripts read, and exit codes for unknown ids and
 * bad input.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTidbok } from '../support/run-tidbok.ts';

void describe('tidbok webhook commands', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-webhook-cli-'));
    // The key as production sets it (else the CLI warns that it keeps one beside the store).
    const key = randomBytes(32).toString('base64');
    env = { TIDBOK_DB: join(dir, 'tidbok.db'), DATABASE_URL: '', TIDBOK_SECRET_KEY: key };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const tidbok = (...args: string[]) => runTidbok(env, ...args);

  void it('adds, lists, rotates, enables and removes a subscription', async () => {
    const url = 'https://receiver.example/hooks';
    const added = await tidbok('webhook', 'add', '--url', url, '--facility', 'F1', '--json');
    assert.equal(added.code, 0, added.err.join('\n'));
    const made = JSON.parse(added.out[0]!) as { id: string; secret: string };
    assert.match(made.secret, /^whsec_/);

    const listed = await tidbok('webhook', 'list');
    assert.equal(listed.code, 0);
    assert.equal(listed.out.length, 1);
    assert.ok(listed.out[0]!.startsWith(`${made.id}  ${url}  standard  F1  [`));
    assert.ok(listed.out[0]!.endsWith('  enabled'));
    assert.ok(!listed.out[0]!.includes(made.secret), 'the list never shows a secret');

    const rotated = await tidbok('webhook', 'rotate', made.id);
    assert.equal(rotated.code, 0);
    assert.match(rotated.out[0]!, /^secret: whsec_/);
    assert.notEqual(rotated.out[0], `secret: ${made.secret}`);
    assert.match(rotated.out[1]!, /^The previous secret also signs until \d{4}-/);

    const enabled = await tidbok('webhook', 'enable', made.id, '--json');
    assert.equal(enabled.code, 0);
    assert.equal((JSON.parse(enabled.out[0]!) as { id: string; enabled: boolean }).enabled, true);

    const removed = await tidbok('webhook', 'remove', made.id);
    assert.deepEqual(removed, { code: 0, out: [`Removed ${made.id}.`], err: [] });
    assert.deepEqual((await tidbok('webhook', 'list')).out, ['No webhook subscriptions.']);
    assert.deepEqual((await tidbok('webhook', 'list', '--json')).out, ['[]']);
  });

  void it('fails on an unknown id and refuses bad input as wrong usage', async () => {
    for (const verb of ['remove', 'rotate', 'enable']) {
      const unknown = await tidbok('webhook', verb, 'no-such-id');
      assert.equal(unknown.code, 1, verb);
      assert.deepEqual(unknown.err, [`tidbok webhook ${verb}: no webhook subscription no-such-id`]);
      const missing = await tidbok('webhook', verb);
      assert.equal(missing.code, 2, verb);
      assert.equal(missing.err[0], `tidbok webhook ${verb}: usage: tidbok webhook ${verb} <id>`);
    }
    const noUrl = await tidbok('webhook', 'add');
    assert.equal(noUrl.code, 2);
    assert.equal(noUrl.err[0], 'tidbok webhook add: name the receiver: --url <url>');
    const plainHttp = await tidbok('webhook', 'add', '--url', 'http://receiver.example/');
    assert.equal(plainHttp.code, 2, 'the subscription refuses it: wrong usage');
    assert.deepEqual((await tidbok('webhook', 'list')).out, ['No webhook subscriptions.']);
  });
});
