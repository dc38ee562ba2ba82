/**
 * What a FHIR portal's answer means for the dispatcher (issue 14, channels.md
 * §2 and §5): 200/201 (any 2xx) delivered; 429, 5xx and anything unreadable passing;
 * 400, 403, 404, 422 and every other 4xx permanent, with the
 * `OperationOutcome` text when the portal sends one and its raw body when not.
 * 401 never reaches here: the channel refreshes its token once first.
 *
 * @module
 */
import { maskPersonIdsInText } from '../../domain/personnummer.ts';
import type { SingleChannelResult } from '../channel.ts';
import type { FhirOperationOutcome } from './fhir-types.ts';
import { maskIdentifiersInText } from './patient-identifier.ts';
import type { PatientIdentifier } from './patient-identifier.ts';

const MAX_REASON_CHARS = 500;

/** How the portal answered, before the give-up rules apply. */
export type PortalAnswer = Extract<
  SingleChannelResult,
  { kind: 'delivered' | 'retry' | 'permanent' }
>;

function isOperationOutcome(value: unknown): value is FhirOperationOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { resourceType?: unknown }).resourceType === 'OperationOutcome' &&
    Array.isArray((value as { issue?: unknown }).issue)
  );
}

/**
 * The readable text of an `OperationOutcome` body (`error invalid:
 * Communication.topic: missing`), or undefined when the body is not one.
 */
export function operationOutcomeText(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isOperationOutcome(parsed)) return undefined;
  return parsed.issue
    .map((issue) => {
      const text = issue.details?.text ?? issue.diagnostics ?? '(no text)';
      const where = issue.expression?.length ? ` (${issue.expression.join(', ')})` : '';
      return `${issue.severity} ${issue.code}: ${text}${where}`;
    })
    .join('; ');
}

/**
 * A reason safe to store and log: whitespace folded, person ids and the
 * identifiers we sent masked, at most 500 characters.
 */
export function safeReason(text: string, identifiers: readonly PatientIdentifier[] = []): string {
  const masked = maskPersonIdsInText(
    maskIdentifiersInText(text.replace(/\s+/g, ' ').trim(), identifiers),
  );
  return masked.length > MAX_REASON_CHARS ? `${masked.slice(0, MAX_REASON_CHARS)}…` : masked;
}

/** Classifies one HTTP answer of the portal. */
export function classifyPortalAnswer(
  status: number,
  body: string,
  identifiers: readonly PatientIdentifier[],
  retryAfterMs?: number,
): PortalAnswer {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const detail = operationOutcomeText(body) ?? (body.trim() || '(empty body)');
  const reason = safeReason(`HTTP ${status}: ${detail}`, identifiers);
  if (status === 429 || status >= 500)
    return {
      kind: 'retry',
      reason,
      ...(retryAfterMs === undefined ? {} : { afterMs: retryAfterMs }),
    };
  if (status >= 400) return { kind: 'permanent', reason };
  // 1xx/3xx: not what the portal documents; try again rather than lose the message.
  return { kind: 'retry', reason };
}
