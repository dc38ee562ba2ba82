/**
 * Who may call: the consumer named by the client certificate, and
 * optionally the original consumer VP passes on in
 * `x-rivta-original-serviceconsumer-hsaid` (rivta-spec §1). HSA-ids compare
 * case-insensitively (TKB-G §3.8).
 */
import type { IncomingMessage } from 'node:http';
import { maskPersonIdsInText } from '../domain/personnummer.ts';
import { clientCertificateHsaId } from './tls.ts';

export interface AccessPolicy {
  /**
   * Consumer HSA-ids (client certificate serialNumber) let in, or `'*'` for
   * any certificate the CA vouches for. Absent: no certificate check (plain HTTP).
   */
  readonly allowedConsumers?: readonly string[] | '*';
  /** When set, the original-consumer header must be present and one of these. */
  readonly allowedOriginalConsumers?: readonly string[];
}

/** The caller as one request presents itself, and why it is refused, if it is. */
export interface CallerIdentity {
  /** From the client certificate (mutual TLS only). */
  readonly consumerHsaId?: string;
  /** From `x-rivta-original-serviceconsumer-hsaid`, as sent. */
  readonly originalConsumerHsaId?: string;
  /** A faultstring when the caller may not call; undefined when it may. */
  readonly refusal?: string;
}

const ORIGINAL_CONSUMER_HEADER = 'x-rivta-original-serviceconsumer-hsaid';

/** A header value quoted in a fault or log: short, and never a clear person id. */
function quoted(value: string): string {
  return `'${maskPersonIdsInText(value.slice(0, 64))}${value.length > 64 ? '…' : ''}'`;
}

function includes(list: readonly string[], id: string): boolean {
  const lower = id.toLowerCase();
  return list.some((allowed) => allowed.toLowerCase() === lower);
}

/**
 * Why the client certificate may not call, or undefined when it may (or
 * when the policy checks no certificates). What every path of a listener
 * with client certificates checks; SOAP calls check the original consumer
 * too ({@link identifyCaller}).
 */
export function consumerRefusal(req: IncomingMessage, policy: AccessPolicy): string | undefined {
  const allowed = policy.allowedConsumers;
  if (allowed === undefined) return undefined;
  const consumer = clientCertificateHsaId(req);
  if (consumer === undefined)
    return 'the client certificate carries no HSA-id (subject serialNumber); this producer serves named consumers only';
  if (allowed !== '*' && !includes(allowed, consumer))
    return `consumer ${quoted(consumer)} is not allowed to call this producer`;
  return undefined;
}

export function identifyCaller(req: IncomingMessage, policy: AccessPolicy): CallerIdentity {
  const header = req.headers[ORIGINAL_CONSUMER_HEADER];
  const original = (Array.isArray(header) ? header[0] : header)?.trim() || undefined;
  const consumer = clientCertificateHsaId(req);
  const identity = {
    ...(consumer !== undefined ? { consumerHsaId: maskPersonIdsInText(consumer) } : {}),
    ...(original !== undefined ? { originalConsumerHsaId: maskPersonIdsInText(original) } : {}),
  };
  const refusal = consumerRefusal(req, policy);
  if (refusal !== undefined) return { ...identity, refusal };
  const allowedOriginal = policy.allowedOriginalConsumers;
  if (
    allowedOriginal !== undefined &&
    (original === undefined || !includes(allowedOriginal, original))
  )
    return {
      ...identity,
      refusal:
        original === undefined
          ? `the ${ORIGINAL_CONSUMER_HEADER} header is missing; this producer serves named original consumers only`
          : `original service consumer ${quoted(original)} is not allowed to call this producer`,
    };
  return identity;
}
