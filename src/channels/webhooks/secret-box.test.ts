import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  parseSecretKey,
  resolveSecretKey,
  SecretBox,
  SecretKeyMismatchError,
} from './secret-box.ts';

describe('webhook secrets at rest', () => {
  const key = randomBytes(32);
  const secret = 'whsec_' + randomBytes(32).toString('base64');

  it('seals so the stored text holds nothing of the secret, and opens it again', () => {
    const box = new SecretBox(key);
    const sealed = box.seal(secret, 'sub-1');
    assert.ok(!sealed.includes(secret.slice(6, 20)));
    assert.notEqual(box.seal(secret, 'sub-1'), sealed, 'a fresh IV each time');
    assert.equal(box.open(sealed, 'sub-1'), secret);
  });

  it('does not open with another key, another subscription or changed bytes', () => {
    const sealed = new SecretBox(key).seal(secret, 'sub-1');
    assert.throws(
      () => new SecretBox(randomBytes(32)).open(sealed, 'sub-1'),
      SecretKeyMismatchError,
    );
    assert.throws(() => new SecretBox(key).open(sealed, 'sub-2'), SecretKeyMismatchError);
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1]! ^= 1;
    assert.throws(
      () => new SecretBox(key).open(`v1.${bytes.toString('base64')}`, 'sub-1'),
      SecretKeyMismatchError,
    );
  });

  it('takes TIDBOK_SECRET_KEY only as 32 bytes of base64', () => {
    assert.deepEqual(parseSecretKey(key.toString('base64')), key);
    assert.throws(() => parseSecretKey(randomBytes(16).toString('base64')), /TIDBOK_SECRET_KEY/);
    assert.throws(() => parseSecretKey('not base64!'), /openssl rand -base64 32/);
  });

  it('needs the setting in production and keeps a key file beside the store elsewhere', () => {
    const setting = key.toString('base64');
    assert.deepEqual(resolveSecretKey({ setting, production: true, keyFile: undefined }), {
      kind: 'setting',
      key,
    });
    assert.equal(
      resolveSecretKey({ setting: undefined, production: true, keyFile: '/x' }).kind,
      'missing',
    );
    const dir = mkdtempSync(join(tmpdir(), 'tidbok-key-'));
    try {
      const path = join(dir, 'data', 'tidbok-secret.key');
      const made = resolveSecretKey({ setting: undefined, production: false, keyFile: path });
      assert.equal(made.kind, 'file');
      assert.equal(made.kind === 'file' && made.created, true);
      assert.equal(statSync(path).mode & 0o777, 0o600, 'only the owner may read it');
      const again = resolveSecretKey({ setting: undefined, production: false, keyFile: path });
      assert.equal(again.kind === 'file' && again.created, false);
      assert.deepEqual(again.kind === 'file' && again.key, made.kind === 'file' && made.key);
      assert.equal(readFileSync(path, 'utf8').trim().length, 44);
      assert.equal(
        resolveSecretKey({ setting: undefined, production: false, keyFile: undefined }).kind,
        'ephemeral',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
