/**
 * Readers of single settings, shared by the core configuration
 * (`config.ts`) and each channel's configuration reader: every one
 * validates its value and throws a {@link ConfigError} that names the
 * setting, so a bad value stops the process at start-up.
 *
 * @module
 */
import { existsSync } from 'node:fs';

/** A setting that cannot be used; its message names the setting and what it must be. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The environment as given to a reader (process.env merged with `TIDBOK_CONFIG_FILE`). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A whole number in `[min, max]`, or `fallback` when unset. */
export function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not '${raw}'`);
  return value;
}

/** `true`/`1`/`yes` or `false`/`0`/`no` (any case); undefined when unset. */
export function boolean(env: Env, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, not '${raw}'`);
}

/** A path that must name an existing file; undefined when unset. */
export function existingFile(env: Env, name: string): string | undefined {
  const path = env[name] || undefined;
  if (path !== undefined && !existsSync(path))
    throw new ConfigError(`${name} names a file that does not exist: ${path}`);
  return path;
}

/** An `http://` or `https://` URL; undefined when unset. */
export function httpUrl(env: Env, name: string): string | undefined {
  const url = env[name] || undefined;
  if (url !== undefined && !/^https?:\/\//.test(url))
    throw new ConfigError(`${name} must be an http(s) URL, not '${url}'`);
  return url;
}
