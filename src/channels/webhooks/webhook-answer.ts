/**
 * What a receiver's answer means (issue 15, Healthengine's rules sharpened):
 * 2xx delivered, body ignored; a redirect is a failure and is not followed;
 * 400 permanent; 410 the receiver is gone; 429 and 5xx retried no sooner
 * than `Retry-After`; anything else (and timeouts, refused connections)
 * retried on the schedule, then dead-lettered.
 *
 * @module
 */

/** A delivery attempt's outcome before the schedule is applied. */
export type WebhookAnswer =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'gone'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly retryAfterMs?: number };

/** The longest `Retry-After` we wait for; a receiver asking for more gets the schedule's next step after it. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * @param status - the HTTP status received
 * @param retryAfterMs - the `Retry-After` wait, when one was sent
 * @param detail - a short, already-sanitised extract of the answer for the reason
 */
export function classifyWebhookAnswer(
  status: number,
  retryAfterMs: number | undefined,
  detail = '',
): WebhookAnswer {
  const suffix = detail ? `: ${detail}` : '';
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 400) return { kind: 'refused', reason: `HTTP 400 (will not retry)${suffix}` };
  if (status === 410) return { kind: 'gone', reason: 'HTTP 410: the receiver is gone' };
  if (status >= 300 && status < 400)
    return { kind: 'failed', reason: `HTTP ${status}: redirects are not followed` };
  if (status === 429 || status >= 500)
    return {
      kind: 'failed',
      reason: `HTTP ${status}${suffix}`,
      ...(retryAfterMs === undefined
        ? {}
        : { retryAfterMs: Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) }),
    };
  return { kind: 'failed', reason: `HTTP ${status}${suffix}` };
}

/**
 * The wait before the next attempt after attempt `attempt` (1 = the first)
 * failed, or undefined when the schedule is spent: a dead letter. A
 * `Retry-After` lengthens the step, never shortens it.
 */
export function nextDelayMs(
  attempt: number,
  delaysMs: readonly number[],
  retryAfterMs?: number,
): number | undefined {
  const step = delaysMs[attempt - 1];
  if (step === undefined) return undefined;
  return Math.max(step, retryAfterMs ?? 0);
}
