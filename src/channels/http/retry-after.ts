/**
 * `Retry-After` (RFC 9110 §10.2.3): either delay-seconds or an HTTP date.
 * Every channel that honours it reads it here.
 */

/**
 * The wait a `Retry-After` value asks for, in ms (never negative), or
 * undefined when the header is absent or unreadable.
 *
 * @param value - the header value as received
 * @param nowUtcMs - the current time, for the HTTP-date form
 */
export function retryAfterMs(
  value: string | readonly string[] | null | undefined,
  nowUtcMs: number = Date.now(),
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its weekday and month; anything else is not one.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowUtcMs);
}
