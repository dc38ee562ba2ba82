/**
 * The FHIR portal channel's settings (`SPREEKUUR_*`), read from the
 * environment and validated at start-up: a bad value stops the process with
 * a message that names the setting (and never quotes the client secret).
 *
 * @module
 */
import { z } from 'zod';
import { ConfigError } from '../../config/settings.ts';
import { DEFAULT_ACCEPTED_SYSTEMS } from './patient-identifier.ts';

/** Every setting this module reads. */
export const FHIR_PORTAL_SETTINGS = [
  'SPREEKUUR_URL',
  'SPREEKUUR_TOKEN_URL',
  'SPREEKUUR_CLIENT_ID',
  'SPREEKUUR_CLIENT_SECRET',
  'SPREEKUUR_ORGANIZATION',
  'SPREEKUUR_ORGANIZATION_HEADER',
  'SPREEKUUR_FACILITIES',
  'SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS',
  'SPREEKUUR_TIMEOUT_MS',
  'SPREEKUUR_BATCH_SIZE',
] as const;

/** What the listener needs, with or without a portal to send to. */
export interface FhirPortalSelection {
  /** Facilities whose changes are sent (HSA-ids); every facility when absent. */
  readonly facilities: readonly string[] | undefined;
  /** Patient identifier systems the portal accepts, preferred first. */
  readonly acceptedSystems: readonly string[];
}

/** How to reach the portal. */
export interface FhirPortalConnection {
  /** The FHIR base, ending in `/fhir/r4`. */
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The organisation's AGB code. */
  readonly organization: string;
  readonly organizationHeader: string;
  readonly timeoutMs: number;
  readonly batchSize: number;
}

/**
 * The channel's settings: `connection` is absent when `SPREEKUUR_URL` is
 * unset (the channel is off, or in demo mode pointed at the simulator).
 */
export interface FhirPortalConfig extends FhirPortalSelection {
  readonly connection: FhirPortalConnection | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const list = (raw: string | undefined) =>
  raw === undefined || raw.trim() === ''
    ? undefined
    : raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');

const httpUrl = (production: boolean) =>
  z.url({
    protocol: production ? /^https$/ : /^https?$/,
    error: production ? 'must be an https URL' : 'must be an http(s) URL',
  });

const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .optional()
    .transform((n) => n ?? fallback);

function schema(production: boolean) {
  return z.object({
    SPREEKUUR_URL: httpUrl(production).refine((url) => /\/fhir\/r4\/?$/.test(url), {
      message: 'must be the FHIR base, ending in /fhir/r4',
    }),
    SPREEKUUR_TOKEN_URL: httpUrl(production),
    SPREEKUUR_CLIENT_ID: z.string().min(1, 'must be set'),
    SPREEKUUR_CLIENT_SECRET: z.string().min(1, 'must be set'),
    SPREEKUUR_ORGANIZATION: z.string().regex(/^\d{8}$/, 'must be the 8-digit AGB code'),
    SPREEKUUR_ORGANIZATION_HEADER: z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
      .default('X-Organization-Identifier'),
    SPREEKUUR_TIMEOUT_MS: wholeNumber(100, 120_000, 10_000),
    SPREEKUUR_BATCH_SIZE: wholeNumber(1, 64, 8),
  });
}

function fail(error: z.ZodError): never {
  const first = error.issues[0]!;
  const name = String(first.path[0]);
  // The message names the setting; the value is never quoted (it may be the secret).
  const what =
    first.code === 'invalid_type' ? 'must be set when SPREEKUUR_URL is set' : first.message;
  throw new ConfigError(`${name} ${what}`);
}

/** Reads and checks the `SPREEKUUR_*` settings. */
export function readFhirPortalConfig(env: Env): FhirPortalConfig {
  const facilities = list(env['SPREEKUUR_FACILITIES']);
  for (const id of facilities ?? [])
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(id))
      throw new ConfigError(
        `SPREEKUUR_FACILITIES must be HSA-ids separated by commas, and '${id}' is not one`,
      );
  const acceptedSystems =
    list(env['SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS']) ?? DEFAULT_ACCEPTED_SYSTEMS;
  for (const system of acceptedSystems)
    if (!/^(urn:oid:[0-2](\.\d+)+|https?:\/\/\S+)$/.test(system))
      throw new ConfigError(
        `SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS must be identifier systems (urn:oid:… or http(s) URIs) separated by commas, and '${system}' is not one`,
      );
  const selection = { facilities, acceptedSystems };
  if (!env['SPREEKUUR_URL']) return { ...selection, connection: undefined };
  const present = Object.fromEntries(
    FHIR_PORTAL_SETTINGS.map((name) => [name, env[name] || undefined]),
  );
  const parsed = schema(env['NODE_ENV'] === 'production').safeParse(present);
  if (!parsed.success) fail(parsed.error);
  const s = parsed.data;
  return {
    ...selection,
    connection: {
      baseUrl: s.SPREEKUUR_URL.replace(/\/+$/, ''),
      tokenUrl: s.SPREEKUUR_TOKEN_URL,
      clientId: s.SPREEKUUR_CLIENT_ID,
      clientSecret: s.SPREEKUUR_CLIENT_SECRET,
      organization: s.SPREEKUUR_ORGANIZATION,
      organizationHeader: s.SPREEKUUR_ORGANIZATION_HEADER,
      timeoutMs: s.SPREEKUUR_TIMEOUT_MS,
      batchSize: s.SPREEKUUR_BATCH_SIZE,
    },
  };
}
