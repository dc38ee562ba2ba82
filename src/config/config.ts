import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { EnabledChannel } from '../channels/channel-module.ts';
import { channelSettings, readChannels } from '../channels/registry.ts';
import { ConfigError, boolean, existingFile, integer, type Env } from './settings.ts';

export { ConfigError } from './settings.ts';

/**
 * The only reader of process.env. Every setting is validated at start-up and
 * a bad one stops the process with a message that names it.
 */

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
   * The channels switched on, each with its validated settings (the
   * engagement index is always on; without its URL `npm start` runs a demo
   * simulator). Their settings are listed by the channel modules.
   */
  readonly channels: readonly EnabledChannel[];
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
   * How the SOAP listener is reached: `tls` (HTTPS with client certificates
   * required, the production set-up) or `plain` HTTP (demo, local tests).
   */
  readonly listener: ListenerConfig;
  /** Longest a graceful shutdown waits for requests in flight before closing them (ms). */
  readonly shutdownTimeoutMs: number;
  /** Bounds on slow and silent clients, on every listener (`TIDBOK_HTTP_*`). */
  readonly http: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly maxConnections: number;
  };
  /**
   * Worker processes on this machine (`TIDBOK_WORKERS`, a number or `auto`
   * for one per core; default 1): more than one makes `npm start` a primary
   * that forks them onto the same ports (docs/production.md).
   */
  readonly workers: number;
  /**
   * Set only in a worker the primary forked: its place in the pool (0 runs
   * housekeeping) and the demo admin token every worker must share.
   */
  readonly worker: { readonly index: number; readonly demoAdminToken?: string } | undefined;
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

/** The settings of the core (not of a channel). */
const CORE_SETTINGS = [
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
  'EI_SOURCE_SYSTEM',
  'TIDBOK_ADMIN_TOKEN',
  'TIDBOK_ADMIN_PORT',
  'TIDBOK_ADMIN_HOST',
  'TIDBOK_ADMIN_ON_SOAP_LISTENER',
  'TIDBOK_HTTP_HEADERS_TIMEOUT_MS',
  'TIDBOK_HTTP_REQUEST_TIMEOUT_MS',
  'TIDBOK_HTTP_KEEP_ALIVE_TIMEOUT_MS',
  'TIDBOK_HTTP_MAX_CONNECTIONS',
  'TIDBOK_WORKERS',
];

/** Set by the primary in each worker's environment, never by hand (so not in {@link SETTINGS}). */
export const WORKER_INDEX = 'TIDBOK_WORKER_INDEX';
export const WORKER_DEMO_ADMIN_TOKEN = 'TIDBOK_WORKER_DEMO_ADMIN_TOKEN';

/**
 * Every setting tidbok reads: the core's and each channel's (from its
 * module); `TIDBOK_CONFIG_FILE` may hold any of them but itself.
 */
export const SETTINGS: readonly string[] = [...new Set([...CORE_SETTINGS, ...channelSettings()])];

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
 * How many worker processes, checked against what cannot be shared between
 * processes: an in-memory database exists in one process only, and the demo
 * simulators run inside the process that starts them.
 */
function workerCount(
  env: Env,
  databaseUrl: string,
  demoChannels: boolean,
  adminOnSoapListener: boolean,
): number {
  const raw = env['TIDBOK_WORKERS']?.trim();
  const workers =
    raw?.toLowerCase() === 'auto'
      ? availableParallelism()
      : integer(env, 'TIDBOK_WORKERS', 1, 1, 64);
  if (workers === 1) return 1;
  if (/(^|:):memory:$/i.test(databaseUrl))
    throw new ConfigError(
      `TIDBOK_WORKERS must be 1 with an in-memory store (${databaseUrl}): each worker would have a calendar of its own`,
    );
  if (demoChannels)
    throw new ConfigError(
      'TIDBOK_WORKERS above 1 needs EI_URL: without it every worker would start a demo simulator of its own',
    );
  if (adminOnSoapListener)
    throw new ConfigError(
      'TIDBOK_WORKERS above 1 cannot be combined with TIDBOK_ADMIN_ON_SOAP_LISTENER=true: console sign-ins live in one worker, so the admin port is served by one worker only',
    );
  return workers;
}

/** A forked worker's part, from the variables the primary set. */
function workerRole(env: Env): Config['worker'] {
  const index = env[WORKER_INDEX];
  if (index === undefined || index === '') return undefined;
  const token = env[WORKER_DEMO_ADMIN_TOKEN] || undefined;
  return {
    index: integer(env, WORKER_INDEX, 0, 0, 63),
    ...(token !== undefined ? { demoAdminToken: token } : {}),
  };
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
    if (!SETTINGS.includes(name))
      throw new ConfigError(`TIDBOK_CONFIG_FILE: ${path} names an unknown setting ${name}`);
    if (!['string', 'number', 'boolean'].includes(typeof value))
      throw new ConfigError(`${name} in TIDBOK_CONFIG_FILE must be a string, number or boolean`);
    fromFile[name] = String(value);
  }
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value;
  return merged;
}

/**
 * Reads and checks every setting.
 *
 * @param options - `server`: called by `npm start`, which runs channels without a target as demos
 */
export function loadConfig(
  rawEnv: Env = process.env,
  options: { readonly server?: boolean } = {},
): Config {
  const env = withConfigFile(rawEnv);
  const databaseUrl = env['DATABASE_URL'] || env['TIDBOK_DB'] || './data/tidbok.db';
  const seed = env['TIDBOK_SEED'];
  const logLevel = env['LOG_LEVEL'] || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel))
    throw new ConfigError(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`,
    );
  const producerHsaId = env['EI_SOURCE_SYSTEM'] || env['TIDBOK_HSA_ID'] || 'SE2321000016-TIDBOK';
  const listener = listenerConfig(env);
  const adminToken = env['TIDBOK_ADMIN_TOKEN'] || undefined;
  // A guessable token would open every patient's bookings to whoever guesses it.
  if (adminToken !== undefined && (adminToken.length < 16 || /\s/.test(adminToken)))
    throw new ConfigError(
      'TIDBOK_ADMIN_TOKEN must be at least 16 characters without spaces (e.g. openssl rand -hex 24)',
    );
  // Demo mode is `npm start` with nothing configured: plain HTTP by default and no EI_URL.
  const demo =
    options.server === true &&
    listener.kind === 'plain' &&
    listener.reason === 'demo' &&
    !env['EI_URL'];
  return {
    channels: readChannels(env, { producerHsaId, demo }),
    workers: workerCount(
      env,
      databaseUrl,
      demo,
      boolean(env, 'TIDBOK_ADMIN_ON_SOAP_LISTENER') ?? false,
    ),
    worker: workerRole(rawEnv),
    adminToken,
    admin: {
      onSoapListener: boolean(env, 'TIDBOK_ADMIN_ON_SOAP_LISTENER') ?? false,
      port: integer(env, 'TIDBOK_ADMIN_PORT', 8081, 0, 65535),
      host: env['TIDBOK_ADMIN_HOST'] || '127.0.0.1',
    },
    listener,
    shutdownTimeoutMs: integer(env, 'TIDBOK_SHUTDOWN_TIMEOUT_MS', 20_000, 0, 600_000),
    http: {
      headersTimeoutMs: integer(env, 'TIDBOK_HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 60_000),
      requestTimeoutMs: integer(env, 'TIDBOK_HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
      keepAliveTimeoutMs: integer(env, 'TIDBOK_HTTP_KEEP_ALIVE_TIMEOUT_MS', 55_000, 100, 60_000),
      maxConnections: integer(env, 'TIDBOK_HTTP_MAX_CONNECTIONS', 1_000, 1, 1_000_000),
    },
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env['HOST'] || '0.0.0.0',
    databaseUrl,
    seedCalendar: seed === 'none' ? undefined : seed || 'fixtures/demo-calendar.json',
    producerHsaId,
    logLevel,
    maxBodyBytes: integer(env, 'TIDBOK_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
  };
}
