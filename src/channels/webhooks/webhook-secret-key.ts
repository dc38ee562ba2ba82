/**
 * The key webhook secrets are sealed with, found once per configuration:
 * `TIDBOK_SECRET_KEY`, or outside production a key file beside the SQLite
 * store (made on first use) or a key for this process alone, each with a
 * warning, since such a key sits next to the data it protects.
 *
 * @module
 */
import { resolveSecretKey, SecretBox } from './secret-box.ts';
import type { WebhooksConfig } from './webhooks-config.ts';

const boxes = new WeakMap<WebhooksConfig, SecretBox | undefined>();

/**
 * The secret box for `config`; undefined in production without
 * `TIDBOK_SECRET_KEY` (then no subscription can be made or delivered to).
 *
 * @param warn - told once why the key is not `TIDBOK_SECRET_KEY`
 */
export function secretBoxOf(
  config: WebhooksConfig,
  warn: (message: string) => void,
): SecretBox | undefined {
  if (boxes.has(config)) return boxes.get(config);
  const source = resolveSecretKey({
    setting: config.secretKey,
    production: config.production,
    keyFile: config.keyFile,
  });
  let box: SecretBox | undefined;
  switch (source.kind) {
    case 'setting':
      box = new SecretBox(source.key);
      break;
    case 'file':
      warn(
        `TIDBOK_SECRET_KEY is not set: webhook secrets are sealed with the key ${source.created ? 'just made in' : 'kept in'} ${source.path}, beside the store (set TIDBOK_SECRET_KEY in production)`,
      );
      box = new SecretBox(source.key);
      break;
    case 'ephemeral':
      warn(
        'TIDBOK_SECRET_KEY is not set: webhook secrets are sealed with a key that lives as long as this process (set TIDBOK_SECRET_KEY to keep them)',
      );
      box = new SecretBox(source.key);
      break;
    case 'missing':
      box = undefined;
  }
  boxes.set(config, box);
  return box;
}
