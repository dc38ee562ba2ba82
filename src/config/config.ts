import { existsSync } from 'node:fs';
import {
  eiConfigDefaults,
  type EiConfig,
} from '../channels/engagement-index/engagement-mapping.ts';

/**
 * The only reader of process.env. Every setting is validated at start-up and
 * a bad one stops the process with a message that names it.
 */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Store URL: a SQLite path (default `./data/tidbok.db`), `sqlite::memory:`, or `postgres://…`. */
  readonly databaseUrl: string;
  /** Calendar file loaded into an empty store at start-up (the demo calendar by default). */
  readonly seedCalendar: string | undefined;
  /** This producer's own HSA-id: EI sourceSystem, and accepted as PingForConfiguration's address. */
  readonly producerHsaId: string;
  readonly logLevel: string;
  readonly maxBodyBytes: number;
  /**
   * Engagement index reporting. `ei.url` unset means demo mode: `npm start`
   * runs an embedded EI simulator and reports to it.
   */
  readonly ei: EiConfig;
  /**
   * Bearer token of the admin API (`TIDBOK_ADMIN_TOKEN`, at least 16
   * characters). Unset: the admin API is switched off and answers 404.
   */
  readonly adminToken: string | undefined;
  /**
   * How long the EI dispatcher's claim on a batch lasts (ms): after a crash,
   * what the dead process had in flight is sent again once this has passed.
   * Longer than `ei.timeoutMs`, so a slow call is never sent twice at once.
   */
  readonly eiLeaseMs: number;
}

/** Default claim lease of the EI dispatcher: 10 minutes. */
export const DEFAULT_EI_LEASE_MS = 600_000;

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not '${raw}'`);
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = env['DATABASE_URL'] || env['TIDBOK_DB'] || './data/tidbok.db';
  const seed = env['TIDBOK_SEED'];
  const logLevel = env['LOG_LEVEL'] || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel))
    throw new ConfigError(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`,
    );
  const producerHsaId = env['EI_SOURCE_SYSTEM'] || env['TIDBOK_HSA_ID'] || 'SE2321000016-TIDBOK';
  const eiUrl = env['EI_URL'] || undefined;
  if (eiUrl !== undefined) {
    if (!/^https?:\/\//.test(eiUrl))
      throw new ConfigError(`EI_URL must be an http(s) URL, not '${eiUrl}'`);
    // Against a real index these identify us in every engagement; no guessing.
    for (const name of ['EI_SOURCE_SYSTEM', 'EI_DATA_CONTROLLER'])
      if (!env[name]) throw new ConfigError(`${name} must be set when EI_URL is set`);
  }
  const tlsFiles = ['EI_TLS_CERT', 'EI_TLS_KEY', 'EI_TLS_CA'].map((name) => {
    const path = env[name] || undefined;
    if (path !== undefined && !existsSync(path))
      throw new ConfigError(`${name} names a file that does not exist: ${path}`);
    return path;
  });
  const [cert, key, ca] = tlsFiles;
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError('EI_TLS_CERT and EI_TLS_KEY must be set together');
  const ei: EiConfig = {
    ...(eiUrl !== undefined ? { url: eiUrl } : {}),
    logicalAddress: env['EI_LOGICAL_ADDRESS'] || eiConfigDefaults.logicalAddress,
    sourceSystem: producerHsaId,
    dataController: env['EI_DATA_CONTROLLER'] || producerHsaId,
    ...(cert !== undefined && key !== undefined
      ? { tls: { cert, key, ...(ca ? { ca } : {}) } }
      : {}),
    timeoutMs: integer(env, 'EI_TIMEOUT_MS', eiConfigDefaults.timeoutMs, 100, 600_000),
    batchSize: integer(env, 'EI_BATCH_SIZE', eiConfigDefaults.batchSize, 1, 1000),
  };
  const adminToken = env['TIDBOK_ADMIN_TOKEN'] || undefined;
  // A guessable token would open every patient's bookings to whoever guesses it.
  if (adminToken !== undefined && (adminToken.length < 16 || /\s/.test(adminToken)))
    throw new ConfigError(
      'TIDBOK_ADMIN_TOKEN must be at least 16 characters without spaces (e.g. openssl rand -hex 24)',
    );
  const eiLeaseMs = integer(env, 'EI_LEASE_MS', DEFAULT_EI_LEASE_MS, 1_000, 86_400_000);
  if (eiLeaseMs <= ei.timeoutMs)
    throw new ConfigError(
      `EI_LEASE_MS (${eiLeaseMs}) must be longer than EI_TIMEOUT_MS (${ei.timeoutMs}), or a slow call could be sent twice at once`,
    );
  return {
    ei,
    adminToken,
    eiLeaseMs,
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env['HOST'] || '0.0.0.0',
    databaseUrl,
    seedCalendar: seed === 'none' ? undefined : seed || 'fixtures/demo-calendar.json',
    producerHsaId,
    logLevel,
    maxBodyBytes: integer(env, 'TIDBOK_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
  };
}
