import { existsSync, readFileSync } from 'node:fs';
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
   * Where the admin API listens: its own port (`TIDBOK_ADMIN_PORT`, default
   * 8081, on `TIDBOK_ADMIN_HOST`, default 127.0.0.1), or the SOAP listener when
   * `TIDBOK_ADMIN_ON_SOAP_LISTENER=true`.
   */
  readonly admin: {
    readonly onSoapListener: boolean;
    readonly port: number;
    readonly host: string;
  };
  /**
   * How long the EI dispatcher's claim on a batch lasts (ms): after a crash,
   * what the dead process had in flight is sent again once this has passed.
   * Longer than `ei.timeoutMs`, so a slow call is never sent twice at once.
   */
  readonly eiLeaseMs: number;
  /**
   * How the SOAP listener is reached: `tls` (HTTPS with client certificates
   * required, the production set-up) or `plain` HTTP (demo, local tests).
   */
  readonly listener: ListenerConfig;
  /** Longest a graceful shutdown waits for requests in flight before closing them (ms). */
  readonly shutdownTimeoutMs: number;
}

/** PEM file paths for the HTTPS listener. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  /** CA bundle that client certificates must chain to (SITHS function certificates in production). */
  readonly clientCa: string;
}

export type ListenerConfig =
  | {
      readonly kind: 'tls';
      readonly files: TlsFiles;
      /** Consumer HSA-ids (client certificate subject serialNumber) let in; `'*'` lets in every certificate the CA vouches for. */
      readonly allowedConsumers: readonly string[] | '*';
      /** When set, `x-rivta-original-serviceconsumer-hsaid` must be one of these. */
      readonly allowedOriginalConsumers: readonly string[] | undefined;
    }
  | {
      readonly kind: 'plain';
      /** Why plain HTTP was chosen, for the start-up warning. */
      readonly reason: 'TIDBOK_PLAIN_HTTP' | 'demo';
      readonly allowedOriginalConsumers: readonly string[] | undefined;
    };

/** Every setting this module reads; `TIDBOK_CONFIG_FILE` may hold any of them but itself. */
export const SETTINGS = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'TIDBOK_DB',
  'TIDBOK_SEED',
  'TIDBOK_HSA_ID',
  'TIDBOK_MAX_BODY_BYTES',
  'LOG_LEVEL',
  'NODE_ENV',
  'TIDBOK_TLS_CERT',
  'TIDBOK_TLS_KEY',
  'TIDBOK_TLS_CLIENT_CA',
  'TIDBOK_PLAIN_HTTP',
  'TIDBOK_ALLOWED_CONSUMERS',
  'TIDBOK_ALLOWED_ORIGINAL_CONSUMERS',
  'TIDBOK_SHUTDOWN_TIMEOUT_MS',
  'EI_URL',
  'EI_SOURCE_SYSTEM',
  'EI_DATA_CONTROLLER',
  'EI_LOGICAL_ADDRESS',
  'EI_TLS_CERT',
  'EI_TLS_KEY',
  'EI_TLS_CA',
  'EI_TIMEOUT_MS',
  'EI_BATCH_SIZE',
  'EI_LEASE_MS',
  'TIDBOK_ADMIN_TOKEN',
  'TIDBOK_ADMIN_PORT',
  'TIDBOK_ADMIN_HOST',
  'TIDBOK_ADMIN_ON_SOAP_LISTENER',
] as const;

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

function boolean(env: Env, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, not '${raw}'`);
}

/** A comma-separated list of HSA-ids; undefined when unset. */
function hsaIdList(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const ids = raw.split(',').map((id) => id.trim());
  for (const id of ids)
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(id))
      throw new ConfigError(
        `${name} must be HSA-ids separated by commas, and '${id}' is not an HSA-id`,
      );
  return ids;
}

function existingFile(env: Env, name: string): string | undefined {
  const path = env[name] || undefined;
  if (path !== undefined && !existsSync(path))
    throw new ConfigError(`${name} names a file that does not exist: ${path}`);
  return path;
}

/**
 * The listener: HTTPS with required client certificates when the TLS files
 * are given; plain HTTP when `TIDBOK_PLAIN_HTTP=true`, or as a demo default
 * when nothing is given and NODE_ENV is not `production`.
 */
function listenerConfig(env: Env): ListenerConfig {
  const [cert, key, clientCa] = ['TIDBOK_TLS_CERT', 'TIDBOK_TLS_KEY', 'TIDBOK_TLS_CLIENT_CA'].map(
    (name) => existingFile(env, name),
  );
  const plain = boolean(env, 'TIDBOK_PLAIN_HTTP');
  const allowedOriginalConsumers = hsaIdList(env, 'TIDBOK_ALLOWED_ORIGINAL_CONSUMERS');
  const allowedConsumers =
    env['TIDBOK_ALLOWED_CONSUMERS']?.trim() === '*'
      ? ('*' as const)
      : hsaIdList(env, 'TIDBOK_ALLOWED_CONSUMERS');
  const anyTls = cert !== undefined || key !== undefined || clientCa !== undefined;
  if (anyTls) {
    if (plain === true)
      throw new ConfigError(
        'TIDBOK_PLAIN_HTTP=true contradicts TIDBOK_TLS_CERT/TIDBOK_TLS_KEY/TIDBOK_TLS_CLIENT_CA; set one or the other',
      );
    for (const [name, value] of [
      ['TIDBOK_TLS_CERT', cert],
      ['TIDBOK_TLS_KEY', key],
      ['TIDBOK_TLS_CLIENT_CA', clientCa],
    ] as const)
      if (value === undefined)
        throw new ConfigError(
          `${name} must be set too: HTTPS needs TIDBOK_TLS_CERT, TIDBOK_TLS_KEY and TIDBOK_TLS_CLIENT_CA`,
        );
    // Every certificate the CA (SITHS) vouches for is not a consumer we serve: the list is required.
    if (allowedConsumers === undefined)
      throw new ConfigError(
        "TIDBOK_ALLOWED_CONSUMERS must be set with HTTPS: the consumers' HSA-ids (client certificate serialNumber), or '*' for any",
      );
    return {
      kind: 'tls',
      files: { cert: cert!, key: key!, clientCa: clientCa! },
      allowedConsumers,
      allowedOriginalConsumers,
    };
  }
  if (allowedConsumers !== undefined)
    throw new ConfigError(
      'TIDBOK_ALLOWED_CONSUMERS needs HTTPS (client certificates): set TIDBOK_TLS_CERT, TIDBOK_TLS_KEY and TIDBOK_TLS_CLIENT_CA',
    );
  if (plain === true)
    return { kind: 'plain', reason: 'TIDBOK_PLAIN_HTTP', allowedOriginalConsumers };
  if (plain === false || env['NODE_ENV'] === 'production')
    throw new ConfigError(
      'TIDBOK_TLS_CERT, TIDBOK_TLS_KEY and TIDBOK_TLS_CLIENT_CA must be set' +
        (plain === false ? ' when TIDBOK_PLAIN_HTTP=false' : ' when NODE_ENV=production') +
        ' (or TIDBOK_PLAIN_HTTP=true for plain HTTP)',
    );
  return { kind: 'plain', reason: 'demo', allowedOriginalConsumers };
}

/**
 * Settings from the JSON file `TIDBOK_CONFIG_FILE` names (an object of the
 * same names as the environment variables), under the environment: a
 * variable that is set wins over the file.
 */
function withConfigFile(env: Env): Env {
  const path = env['TIDBOK_CONFIG_FILE'] || undefined;
  if (path === undefined) return env;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      `TIDBOK_CONFIG_FILE: cannot read ${path} as JSON: ${(err as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`TIDBOK_CONFIG_FILE: ${path} must hold a JSON object`);
  const fromFile: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!(SETTINGS as readonly string[]).includes(name))
      throw new ConfigError(`TIDBOK_CONFIG_FILE: ${path} names an unknown setting ${name}`);
    if (!['string', 'number', 'boolean'].includes(typeof value))
      throw new ConfigError(`${name} in TIDBOK_CONFIG_FILE must be a string, number or boolean`);
    fromFile[name] = String(value);
  }
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value;
  return merged;
}

export function loadConfig(rawEnv: Env = process.env): Config {
  const env = withConfigFile(rawEnv);
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
    admin: {
      onSoapListener: boolean(env, 'TIDBOK_ADMIN_ON_SOAP_LISTENER') ?? false,
      port: integer(env, 'TIDBOK_ADMIN_PORT', 8081, 0, 65535),
      host: env['TIDBOK_ADMIN_HOST'] || '127.0.0.1',
    },
    eiLeaseMs,
    listener: listenerConfig(env),
    shutdownTimeoutMs: integer(env, 'TIDBOK_SHUTDOWN_TIMEOUT_MS', 20_000, 0, 600_000),
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env['HOST'] || '0.0.0.0',
    databaseUrl,
    seedCalendar: seed === 'none' ? undefined : seed || 'fixtures/demo-calendar.json',
    producerHsaId,
    logLevel,
    maxBodyBytes: integer(env, 'TIDBOK_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
  };
}
