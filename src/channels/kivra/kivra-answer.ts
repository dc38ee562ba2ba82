/**
 * What an answer from Kivra's content API means for the outbox (issue 13,
 * channels.md §1): 201 delivered (with Kivra's receipt headers); 5xx and 429
 * passing (429 after `Retry-After`); a recipient Kivra does not know skipped;
 * any other 4xx a refusal that will repeat, so a dead letter at once, with
 * Kivra's code and short message. 401 is handled before this: the channel
 * fetches a new token and asks once more.
 *
 * @module
 */
import { maskPersonIdsInText } from '../../domain/personnummer.ts';
import type { SingleChannelResult } from '../channel.ts';

/** How one content went. */
export type KivraOutcome = SingleChannelResult;

/** The parts of an HTTP answer the classification reads. */
export interface KivraAnswer {
  readonly status: number;
  readonly body: string;
  readonly header: (name: string) => string | undefined;
}

/** Skipped, reason recorded: this recipient does not take letters through Kivra. */
export const NOT_A_KIVRA_USER = 'not a Kivra user';

/**
 * Codes that say the recipient cannot receive (40032 no such user): the
 * usermatch answer was out of date. Not our error and not worth a retry.
 */
const RECIPIENT_UNKNOWN_CODES = new Set(['40032']);

const MAX_REASON_CHARS = 300;

/** Kivra's error code: the `x-error-code` header, else `code` in the body, integer or string. */
export function kivraErrorCode(answer: KivraAnswer): string | undefined {
  const header = answer.header('x-error-code')?.trim();
  if (header) return header;
  try {
    const code = (JSON.parse(answer.body) as { code?: unknown }).code;
    if (typeof code === 'number' && Number.isInteger(code)) return String(code);
    if (typeof code === 'string' && /^\d{5}$/.test(code.trim())) return code.trim();
  } catch {
    // Not JSON (a proxy's error page): there is no code to read.
  }
  return undefined;
}

function shortMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { short_message?: unknown }).short_message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** A reason safe to store and log: person ids masked, bounded. */
export function safeReason(text: string): string {
  const masked = maskPersonIdsInText(text.replace(/\s+/g, ' ').trim());
  return masked.length > MAX_REASON_CHARS ? `${masked.slice(0, MAX_REASON_CHARS)}…` : masked;
}

/** `HTTP 400 40009 "Invalid SSN" (x-correlation-id …)`. */
export function describeAnswer(answer: KivraAnswer): string {
  const code = kivraErrorCode(answer);
  const message = shortMessage(answer.body);
  const correlation = answer.header('x-correlation-id');
  return safeReason(
    `HTTP ${answer.status}${code ? ` ${code}` : ''}${message ? ` "${message}"` : ''}` +
      (correlation ? ` (x-correlation-id ${correlation})` : ''),
  );
}

/**
 * Classifies a content POST's answer.
 *
 * @param answer - the HTTP answer
 * @param retryAfterMs - the `Retry-After` delay already read from it, if any
 */
export function classifyContentAnswer(answer: KivraAnswer, retryAfterMs?: number): KivraOutcome {
  if (answer.status === 201) {
    const receipt: Record<string, string> = {};
    for (const name of ['kivra-objkey', 'x-correlation-id']) {
      const value = answer.header(name);
      if (value) receipt[name] = value;
    }
    return { kind: 'delivered', receipt };
  }
  const reason = describeAnswer(answer);
  if (answer.status >= 500 || answer.status === 429 || answer.status === 408)
    return {
      kind: 'retry',
      reason,
      ...(retryAfterMs === undefined ? {} : { afterMs: retryAfterMs }),
    };
  const code = kivraErrorCode(answer);
  if (answer.status === 400 && code && RECIPIENT_UNKNOWN_CODES.has(code))
    return { kind: 'skipped', reason: `${NOT_A_KIVRA_USER} (${reason})` };
  if (answer.status >= 400) return { kind: 'permanent', reason };
  // 1xx/2xx other than 201, 3xx: not what Kivra answers; try again rather than lose the letter.
  return { kind: 'retry', reason: `unexpected answer: ${reason}` };
}
