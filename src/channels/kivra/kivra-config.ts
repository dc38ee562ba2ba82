/**
 * The Kivra channel's settings, read from the environment and checked at
 * start-up (issue 13). `KIVRA_URL` unset switches the channel off (demo mode
 * runs the simulator instead). Secrets are never put into an error message.
 *
 * @module
 */
import { z } from 'zod';
import { ConfigError, type Env } from '../../config/settings.ts';
import type { KivraApiConfig } from './kivra-channel.ts';
import type { KivraListenerConfig } from './kivra-listener.ts';

/** Every setting this channel reads. */
export const KIVRA_ENV_NAMES = [
  'KIVRA_URL',
  'KIVRA_CLIENT_ID',
  'KIVRA_CLIENT_SECRET',
  'KIVRA_TENANT_KEY',
  'KIVRA_FACILITIES',
  'KIVRA_INFO_URL',
  'KIVRA_TIMEOUT_MS',
  'KIVRA_LEASE_MS',
] as const;

/** The channel's complete configuration. */
export interface KivraConfig extends Omit<KivraApiConfig, 'url'>, KivraListenerConfig {
  /** API base; absent in demo mode until `npm start` points it at the simulator. */
  readonly url?: string;
}

/** Defaults for what has a sensible one. */
export const kivraConfigDefaults = {
  // Kivra answers in well under a second; a content is at most 1 MB.
  timeoutMs: 10_000,
  leaseMs: 600_000,
} as const;

const present = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

const hsaIds = z
  .string()
  .transform((raw) => raw.split(',').map((id) => id.trim()))
  .pipe(
    z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'must be HSA-ids separated by commas'))
      .min(1),
  );

const letterSchema = z.object({
  KIVRA_FACILITIES: hsaIds.optional(),
  KIVRA_INFO_URL: z.url({ protocol: /^https$/ }).optional(),
});

function apiSchema(production: boolean) {
  return letterSchema.extend({
    KIVRA_URL: z.url({ protocol: production ? /^https$/ : /^https?$/ }),
    KIVRA_CLIENT_ID: z.string().min(1),
    KIVRA_CLIENT_SECRET: z.string().min(1),
    KIVRA_TENANT_KEY: z
      .string()
      .regex(/^[A-Za-z0-9._~-]+$/, 'must be a tenant key (letters, digits, . _ ~ -)'),
    KIVRA_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).optional(),
    KIVRA_LEASE_MS: z.coerce.number().int().min(1_000).max(86_400_000).optional(),
  });
}

function parse<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const values = Object.fromEntries(KIVRA_ENV_NAMES.map((name) => [name, present(env[name])]));
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0]);
  const what =
    issue.code === 'invalid_type' && values[name] === undefined
      ? 'must be set when KIVRA_URL is set'
      : name === 'KIVRA_URL'
        ? `must be ${env['NODE_ENV'] === 'production' ? 'an https URL (NODE_ENV=production)' : 'an http(s) URL'}`
        : name === 'KIVRA_INFO_URL'
          ? 'must be an https URL'
          : issue.message;
  throw new ConfigError(`${name} ${what}`);
}

const letterSettings = (v: z.output<typeof letterSchema>): KivraListenerConfig => ({
  ...(v.KIVRA_FACILITIES ? { facilities: v.KIVRA_FACILITIES } : {}),
  ...(v.KIVRA_INFO_URL ? { infoUrl: v.KIVRA_INFO_URL } : {}),
});

/** What shapes the letters (`KIVRA_FACILITIES`, `KIVRA_INFO_URL`), whether or not Kivra is configured. */
export function readKivraLetterSettings(env: Env): KivraListenerConfig {
  return letterSettings(parse(letterSchema, env));
}

/**
 * The Kivra settings in `env`, or undefined when `KIVRA_URL` is not set.
 * Throws {@link ConfigError} naming the first bad setting (never its value
 * when it is a secret).
 */
export function readKivraConfig(env: Env): KivraConfig | undefined {
  if (!present(env['KIVRA_URL'])) return undefined;
  const v = parse(apiSchema(env['NODE_ENV'] === 'production'), env);
  const timeoutMs = v.KIVRA_TIMEOUT_MS ?? kivraConfigDefaults.timeoutMs;
  const leaseMs = v.KIVRA_LEASE_MS ?? kivraConfigDefaults.leaseMs;
  // One delivery makes a token call, a usermatch call and the content calls, each up to the timeout.
  if (leaseMs <= 3 * timeoutMs)
    throw new ConfigError(
      `KIVRA_LEASE_MS (${leaseMs}) must be longer than three times KIVRA_TIMEOUT_MS (${timeoutMs}), or a slow delivery could be sent twice at once`,
    );
  return {
    url: v.KIVRA_URL,
    clientId: v.KIVRA_CLIENT_ID,
    clientSecret: v.KIVRA_CLIENT_SECRET,
    tenantKey: v.KIVRA_TENANT_KEY,
    timeoutMs,
    leaseMs,
    ...letterSettings(v),
  };
}

/**
 * Demo mode: the producer runs with nothing real configured (no TLS files,
 * no `EI_URL`, not `NODE_ENV=production`). Then `npm start` without
 * `KIVRA_URL` sends the letters to a Kivra simulator; a producer with a real
 * target anywhere sends no Kivra letters until `KIVRA_URL` is set.
 */
export function isKivraDemo(env: Env): boolean {
  return (
    env['NODE_ENV'] !== 'production' &&
    !env['TIDBOK_TLS_CERT'] &&
    !env['TIDBOK_TLS_KEY'] &&
    !env['EI_URL']
  );
}

/** The demo configuration: the simulator's client and tenant, no URL until it runs. */
export function kivraDemoConfig(env: Env): KivraConfig {
  return {
    clientId: 'tidbok-demo',
    clientSecret: 'demo-secret',
    tenantKey: 'demo-tenant',
    timeoutMs: kivraConfigDefaults.timeoutMs,
    leaseMs: kivraConfigDefaults.leaseMs,
    ...readKivraLetterSettings(env),
  };
}
