/**
 * Delivers `fhir-portal` outbox messages to a FHIR R4 patient portal
 * (Spreekuur.nl profile, issue 14): `PUT {base}/Appointment/{bookingId}` for
 * booking events, `POST {base}/Communication` for messages, with an OAuth 2.0
 * client-credentials bearer token and the organisation header.
 *
 * Give-up rules (the dispatcher retries whatever this says to retry):
 * - passing failures (5xx, 429, timeouts, transport) are retried until the
 *   appointment starts (`giveUpAtUtcMs` in the payload), then dead-lettered;
 * - a `Communication` POST is not idempotent (a timed-out one may have
 *   arrived), so it is tried at most three times: retried at most twice;
 * - a patient with no identifier the portal accepts is skipped, not failed.
 *
 * @module
 */
import type { ClaimedMessage } from '../../outbox/outbox-store.ts';
import type { Channel, ChannelResult, SingleChannelResult } from '../channel.ts';
import { TokenRequestError } from '../http/client-credentials-token.ts';
import type { ClientCredentialsToken } from '../http/client-credentials-token.ts';
import { retryAfterMs } from '../http/retry-after.ts';
import { appointmentResource, FHIR_ID } from './appointment-resource.ts';
import { communicationResource } from './communication-resource.ts';
import { FHIR_PORTAL_CHANNEL } from './fhir-portal-payload.ts';
import type { FhirPortalPayload } from './fhir-portal-payload.ts';
import { chooseIdentifier } from './patient-identifier.ts';
import type { PatientIdentifier } from './patient-identifier.ts';
import { classifyPortalAnswer, safeReason } from './portal-answer.ts';
import type { PortalAnswer } from './portal-answer.ts';

/** Where bearer tokens come from: the shared client-credentials cache. */
export type AccessTokenSource = Pick<ClientCredentialsToken, 'get' | 'invalidate'>;

/** How the channel reaches the portal. */
export interface FhirPortalTarget {
  /** The FHIR base, e.g. `https://api-samen.test.spreekuur.nl/fhir/r4`. */
  readonly baseUrl: string;
  /** The organisation's AGB code. */
  readonly organization: string;
  /** Header that carries it; Spreekuur.nl has renamed it before. */
  readonly organizationHeader: string;
  /** Patient identifier systems the portal accepts, the preferred first. */
  readonly acceptedSystems: readonly string[];
  /** Give up on one request after this long (then retried) (ms). */
  readonly timeoutMs: number;
  /** Messages delivered at once (in parallel, never two of one booking). */
  readonly batchSize: number;
}

/** What the channel can be given besides the target. */
export interface FhirPortalChannelOptions {
  readonly tokens: AccessTokenSource;
  /** Attempts of one `Communication` POST at most; 3 (the first and two retries). */
  readonly maxCommunicationAttempts?: number;
  /** Clock for the give-up rule; `Date.now` by default. */
  readonly now?: () => number;
}

/** The AGB naming system the organisation header names (channels.md §2). */
export const AGB_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/agb-z';

/** The request one message becomes: method, path below the base, and the exact body. */
export interface PortalRequest {
  readonly method: 'PUT' | 'POST';
  readonly path: string;
  readonly body: string;
  readonly identifier: PatientIdentifier;
}

/**
 * Renders a message into its request, or says why it is skipped. Pure: the
 * same payload always gives the same bytes.
 */
export function portalRequest(
  payload: FhirPortalPayload,
  acceptedSystems: readonly string[],
): PortalRequest | { readonly skipped: string } {
  const identifier = chooseIdentifier(payload.patient.identifiers, acceptedSystems);
  if (!identifier)
    return {
      skipped: `the patient has no identifier the portal accepts (${acceptedSystems.join(', ')})`,
    };
  if (payload.kind === 'appointment') {
    if (!FHIR_ID.test(payload.bookingId))
      return { skipped: 'the booking id is not a FHIR id ([A-Za-z0-9-.], at most 64)' };
    return {
      method: 'PUT',
      path: `/Appointment/${payload.bookingId}`,
      body: JSON.stringify(appointmentResource(payload, identifier)),
      identifier,
    };
  }
  return {
    method: 'POST',
    path: '/Communication',
    body: JSON.stringify(communicationResource(payload, identifier)),
    identifier,
  };
}

/** The `fhir-portal` channel. */
export class FhirPortalChannel implements Channel {
  readonly name = FHIR_PORTAL_CHANNEL;
  readonly batchSize: number;
  /**
   * A delivery is at most two requests (a 401 refreshes the token once), each
   * token fetch included within the timeout; the claim outlasts both.
   */
  readonly leaseMs: number;
  private readonly base: string;
  private readonly maxCommunicationAttempts: number;
  private readonly now: () => number;

  constructor(
    private readonly target: FhirPortalTarget,
    private readonly options: FhirPortalChannelOptions,
  ) {
    this.base = target.baseUrl.replace(/\/+$/, '');
    this.batchSize = Math.max(1, target.batchSize);
    this.leaseMs = 2 * target.timeoutMs + 5_000;
    this.maxCommunicationAttempts = options.maxCommunicationAttempts ?? 3;
    this.now = options.now ?? Date.now;
  }

  /** One request per message, all at once: a batch never holds two messages of one booking. */
  async deliver(messages: readonly ClaimedMessage[], signal: AbortSignal): Promise<ChannelResult> {
    const results = await Promise.all(messages.map((m) => this.deliverOne(m, signal)));
    return { kind: 'each', results: new Map(messages.map((m, i) => [m.id, results[i]!])) };
  }

  /** Sends one message and applies the give-up rules to the answer. */
  async deliverOne(message: ClaimedMessage, signal: AbortSignal): Promise<SingleChannelResult> {
    const payload = message.payload as FhirPortalPayload;
    const request = portalRequest(payload, this.target.acceptedSystems);
    if ('skipped' in request) return { kind: 'skipped', reason: request.skipped };
    const answer = await this.send(request, signal);
    if (answer.kind !== 'retry') return answer;
    if (this.now() >= payload.giveUpAtUtcMs)
      return {
        kind: 'permanent',
        reason: `gave up: the appointment has started; last failure: ${answer.reason}`,
      };
    if (payload.kind === 'communication' && message.attempts >= this.maxCommunicationAttempts)
      return {
        kind: 'permanent',
        reason: `gave up after ${message.attempts} attempts (a Communication POST is not idempotent, so an earlier attempt may have arrived); last failure: ${answer.reason}`,
      };
    return answer;
  }

  private async send(request: PortalRequest, signal: AbortSignal): Promise<PortalAnswer> {
    try {
      let answer = await this.call(request, signal);
      if (answer.status === 401) {
        // The token may have been revoked or expired early: one fresh token, once.
        this.options.tokens.invalidate();
        answer = await this.call(request, signal);
        if (answer.status === 401)
          return { kind: 'retry', reason: 'HTTP 401 twice: the portal refused a fresh token' };
      }
      const result = classifyPortalAnswer(
        answer.status,
        answer.body,
        [request.identifier],
        answer.retryAfterMs,
      );
      // The portal's address of a new Communication, for an operator tracing a message.
      return result.kind === 'delivered' && answer.location
        ? { kind: 'delivered', receipt: { location: answer.location } }
        : result;
    } catch (err) {
      const where = err instanceof TokenRequestError ? 'token' : 'transport';
      return {
        kind: 'retry',
        reason: safeReason(`${where}: ${errorText(err)}`, [request.identifier]),
      };
    }
  }

  private async call(
    request: PortalRequest,
    signal: AbortSignal,
  ): Promise<{
    status: number;
    body: string;
    retryAfterMs: number | undefined;
    location: string | null;
  }> {
    const timeout = AbortSignal.timeout(this.target.timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    const token = await this.options.tokens.get(both);
    const res = await fetch(`${this.base}${request.path}`, {
      method: request.method,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/fhir+json; charset=utf-8',
        Accept: 'application/fhir+json',
        [this.target.organizationHeader]: `${AGB_SYSTEM}|${this.target.organization}`,
      },
      body: request.body,
      signal: both,
    });
    const body = await res.text();
    return {
      status: res.status,
      body,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
      location: res.headers.get('location'),
    };
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'no answer in time';
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
