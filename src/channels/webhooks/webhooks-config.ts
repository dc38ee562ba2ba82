/**
 * The webhooks channel's settings, read from the environment and checked at
 * start-up (a bad value stops the process with a message naming it).
 *
 * @module
 */
import { ConfigError, type Env } from '../../config/settings.ts';
import type { Resolver } from './address-guard.ts';

/** Every setting {@link readWebhooksConfig} reads. */
export const WEBHOOK_SETTINGS = [
  'WEBHOOK_ALLOW_LOOPBACK',
  'WEBHOOK_RETRY_DELAYS',
  'WEBHOOK_LEASE_MS',
  'TIDBOK_SECRET_KEY',
] as const;

/** Healthengine's schedule since 2024-09 (channels.md §3): 1 min, 2 min, 5 min, 1 h, 12 h. */
export const DEFAULT_RETRY_DELAYS = '1m,2m,5m,1h,12h';

export interface WebhooksConfig {
  /** `WEBHOOK_ALLOW_LOOPBACK=true`: deliveries may go to loopback, and plain http only there. */
  readonly allowLoopback: boolean;
  /** `WEBHOOK_RETRY_DELAYS`: the wait after each failed attempt; after the last, dead letter. */
  readonly retryDelaysMs: readonly number[];
  /** `TIDBOK_SECRET_KEY` as given (checked when the key is resolved). */
  readonly secretKey: string | undefined;
  /** `NODE_ENV=production`: the secret key must be set once a subscription exists. */
  readonly production: boolean;
  /**
   * `WEBHOOK_LEASE_MS`: how long the dispatcher's claim on a message lasts;
   * after a crash, what was in flight is sent again once it has passed.
   * Longer than the 5 s limit of an attempt, so no attempt overlaps another.
   */
  readonly leaseMs: number;
  /**
   * Outside production without `TIDBOK_SECRET_KEY`: the key file kept beside
   * the SQLite store (`<database>.secret-key`); undefined for an in-memory or
   * PostgreSQL store (then the key lives as long as the process).
   */
  readonly keyFile: string | undefined;
  /** The host name resolver of the address guard (tests answer fixed addresses). */
  readonly resolve?: Resolver;
}

/** One minute: a batch's attempts run side by side, each at most 5 s. */
export const DEFAULT_LEASE_MS = 60_000;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses a schedule such as `1m,2m,5m,1h,12h` (units `s`, `m`, `h`) to milliseconds. */
export function parseRetryDelays(text: string): number[] {
  const steps = text.split(',').map((s) => s.trim());
  return steps.map((step) => {
    const match = /^(\d+(?:\.\d+)?)([smh])$/.exec(step);
    if (!match || Number(match[1]) <= 0)
      throw new ConfigError(
        `WEBHOOK_RETRY_DELAYS must be positive durations with s, m or h separated by commas (e.g. ${DEFAULT_RETRY_DELAYS}), not '${text}'`,
      );
    return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
  });
}

/** The SQLite file a store URL names, as `createStore` reads it; undefined for other stores. */
function sqliteFile(url: string): string | undefined {
  if (/^postgres(ql)?:\/\//i.test(url) || /:memory:$/.test(url)) return undefined;
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  return path === '' ? undefined : path;
}

/** Where the key is kept outside production: beside a SQLite file (the store URL as `createStore` takes it). */
export const keyFileBeside = (storeUrl: string) => {
  const file = sqliteFile(storeUrl);
  return file === undefined ? undefined : `${file}.secret-key`;
};

/** Reads and checks the channel's settings; throws a ConfigError naming a bad one. */
export function readWebhooksConfig(env: Env): WebhooksConfig {
  const loopback = env['WEBHOOK_ALLOW_LOOPBACK'] ?? '';
  if (!/^(|true|false)$/.test(loopback))
    throw new ConfigError(`WEBHOOK_ALLOW_LOOPBACK must be true or false, not '${loopback}'`);
  const lease = env['WEBHOOK_LEASE_MS'] || String(DEFAULT_LEASE_MS);
  if (!/^\d+$/.test(lease) || Number(lease) <= 5_000 || Number(lease) > 86_400_000)
    throw new ConfigError(
      `WEBHOOK_LEASE_MS must be a whole number of ms above 5000 (the attempt limit), not '${lease}'`,
    );
  return {
    allowLoopback: loopback === 'true',
    leaseMs: Number(lease),
    retryDelaysMs: parseRetryDelays(env['WEBHOOK_RETRY_DELAYS'] || DEFAULT_RETRY_DELAYS),
    secretKey: env['TIDBOK_SECRET_KEY'] || undefined,
    production: env['NODE_ENV'] === 'production',
    keyFile: keyFileBeside(env['DATABASE_URL'] || env['TIDBOK_DB'] || './data/tidbok.db'),
  };
}
