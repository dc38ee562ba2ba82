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
}

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
  return {
    ei,
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env['HOST'] || '0.0.0.0',
    databaseUrl,
    seedCalendar: seed === 'none' ? undefined : seed || 'fixtures/demo-calendar.json',
    producerHsaId,
    logLevel,
    maxBodyBytes: integer(env, 'TIDBOK_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
  };
}
