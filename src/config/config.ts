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
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env['HOST'] || '0.0.0.0',
    databaseUrl,
    seedCalendar: seed === 'none' ? undefined : seed || 'fixtures/demo-calendar.json',
    producerHsaId: env['EI_SOURCE_SYSTEM'] || env['TIDBOK_HSA_ID'] || 'SE2321000016-TIDBOK',
    logLevel,
    maxBodyBytes: integer(env, 'TIDBOK_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
  };
}
