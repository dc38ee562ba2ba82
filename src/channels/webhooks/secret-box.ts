/**
 * Webhook secrets at rest (issue 15): sealed with AES-256-GCM under the key
 * in `TIDBOK_SECRET_KEY` (32 random bytes in base64, as `openssl rand
 * -base64 32` prints), so a copy of the database alone cannot sign. Each
 * sealed value is bound to its subscription (associated data), so it cannot
 * be moved to another row either.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_BYTES = 32;

/** A sealed secret that does not open with this key (another key, or tampered with). */
export class SecretKeyMismatchError extends Error {
  override readonly name = 'SecretKeyMismatchError';
}

/** Seals and opens secrets with one key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== SECRET_KEY_BYTES)
      throw new RangeError(`the secret key must be ${SECRET_KEY_BYTES} bytes`);
    this.#key = Buffer.from(key);
  }

  /**
   * @param plain - the secret
   * @param context - what it belongs to (the subscription id); needed to open it
   */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  /** Opens what {@link seal} made with the same key and context. */
  open(sealed: string, context: string): string {
    const [version, data] = sealed.split('.');
    const bytes = Buffer.from(data ?? '', 'base64');
    if (version !== VERSION || bytes.length < IV_BYTES + TAG_BYTES)
      throw new SecretKeyMismatchError('not a sealed webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretKeyMismatchError(
        'a webhook secret does not open with TIDBOK_SECRET_KEY (another key, or changed data)',
      );
    }
  }
}

/** Reads `TIDBOK_SECRET_KEY`; a message naming the setting when it is not 32 bytes of base64. */
export function parseSecretKey(value: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value.trim()) || key.length !== SECRET_KEY_BYTES)
    throw new RangeError(
      'TIDBOK_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)',
    );
  return key;
}

/** Where the key comes from, as {@link resolveSecretKey} decided. */
export type SecretKeySource =
  | { readonly kind: 'setting'; readonly key: Buffer }
  /** Outside production: a key file made once and kept beside the embedded store. */
  | {
      readonly kind: 'file';
      readonly key: Buffer;
      readonly path: string;
      readonly created: boolean;
    }
  /** Outside production with an in-memory store: a key that lives as long as the process. */
  | { readonly kind: 'ephemeral'; readonly key: Buffer }
  /** Production without `TIDBOK_SECRET_KEY`: fine until a subscription exists. */
  | { readonly kind: 'missing' };

/**
 * Finds the key: `TIDBOK_SECRET_KEY` when set; in production nothing else
 * (missing); elsewhere the key file at `keyFile` (made with mode 0600 when
 * absent), or a key for this process alone when there is no file to keep.
 */
export function resolveSecretKey(options: {
  readonly setting: string | undefined;
  readonly production: boolean;
  readonly keyFile: string | undefined;
}): SecretKeySource {
  if (options.setting) return { kind: 'setting', key: parseSecretKey(options.setting) };
  if (options.production) return { kind: 'missing' };
  const path = options.keyFile;
  if (path === undefined) return { kind: 'ephemeral', key: randomBytes(SECRET_KEY_BYTES) };
  if (existsSync(path))
    return { kind: 'file', key: parseSecretKey(readFileSync(path, 'utf8')), path, created: false };
  const key = randomBytes(SECRET_KEY_BYTES);
  mkdirSync(dirname(path), { recursive: true });
  // Workers of one pool start together: the key is written whole under another name and linked
  // into place, so exactly one process's key wins and no process ever reads a half-written file.
  const draft = `${path}.${process.pid}.draft`;
  writeFileSync(draft, `${key.toString('base64')}\n`, { mode: 0o600 });
  try {
    chmodSync(draft, 0o600);
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const kept = parseSecretKey(readFileSync(path, 'utf8'));
  return { kind: 'file', key: kept, path, created: kept.equals(key) };
}
