/**
 * Keeps the README's receiver example true: the code block under
 * "Webhooks" is run as written (only its port changed to a free one) and
 * receives real deliveries from the channel, accepting those signed with its
 * secret and refusing a wrong one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { newWebhookSecret } from '../../src/channels/webhooks/webhook-signature.ts';
import { WebhooksChannel } from '../../src/channels/webhooks/webhooks-channel.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function readmeReceiver(): string {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Webhooks'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'the Webhooks section has a js example');
  assert.ok(code.includes('.listen(8090)'));
  return code.replace(
    '.listen(8090)',
    ".listen(0, '127.0.0.1', function () { console.log('port', this.address().port); })",
  );
}

describe('the README receiver example', () => {
  it('accepts a delivery signed with its secret and refuses another secret', async () => {
    const secret = newWebhookSecret();
    const child = spawn(process.execPath, ['--input-type=module', '-e', readmeReceiver()], {
      cwd: root,
      env: { ...process.env, WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /port (\d+)/.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(m[1]!);
          }
        }, 20);
        child.once('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`the example exited with ${code}`));
        });
      });
      const url = `http://127.0.0.1:${port}/`;
      const target = { url, enabled: true, secrets: [secret] };
      const channel = new WebhooksChannel(
        {
          target: async () => target,
          recordFailure: async (_id, now) => now,
          recordSuccess: async () => {},
          disable: async () => {},
        },
        { retryDelaysMs: [1_000], allowLoopback: true },
      );
      const body = '{"type":"booking.created","timestamp":"2026-03-20T13:00:05+01:00","data":{}}';
      assert.deepEqual(await channel.send('s1', 'msg_readme', body), { kind: 'delivered' });
      assert.match(out, /msg_readme booking\.created/);
      target.secrets = [newWebhookSecret()];
      const refused = await channel.send('s1', 'msg_wrong', body);
      assert.equal(refused.kind, 'failed');
      assert.match(refused.kind === 'failed' ? refused.reason : '', /HTTP 401/);
      channel.close();
    } finally {
      child.kill();
      await exited;
    }
  });
});
