/**
 * Delivers queued engagement transactions to the engagement index: one SOAP
 * 1.1 `Update` per batch, written with the same contract description and
 * encoder as every answer we serve, and classified for the dispatcher
 * (rivta-spec §4; must-haves 26, 27).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Update } from '../../contracts/engagement-index.ts';
import { NS } from '../../contracts/namespaces.ts';
import { maskPersonIdsInText } from '../../domain/personnummer.ts';
import type { ClaimedMessage } from '../../outbox/outbox-store.ts';
import { encodeElement, prefixesFor } from '../../xml/encode.ts';
import { escapeText } from '../../xml/escape.ts';
import { parseXml } from '../../xml/parse.ts';
import type { XmlElement } from '../../xml/parse.ts';
import type { Channel, ChannelResult } from '../channel.ts';
import { retryAfterMs } from '../http/retry-after.ts';
import { EI_CHANNEL, EI_COLLECT_WINDOW_GAP_MS } from './engagement-mapping.ts';
import type { EiConfig, EngagementTransaction } from './engagement-mapping.ts';

/** EI refuses more in one call (EI000, `EngagementValidator.MAX_NUMBER_OF_ENGAGEMENTS`). */
export const EI_MAX_BATCH = 1000;

/** Passing failures: retried until they succeed (rivta-spec §4, must-have 27). */
const RETRY_CODES = new Set(['VP008', 'VP009', 'VP012', 'EI000']);
/**
 * Refusals that will repeat until data or configuration is fixed: never
 * retried automatically (must-have 27). EI001 (payload against the schema) is
 * our bug as surely as EI004.
 */
const PERMANENT_CODES = new Set([
  'EI001',
  'EI002',
  'EI003',
  'EI004',
  'EI005',
  'EI006',
  'VP004',
  'VP007',
]);

const MAX_ANSWER_BYTES = 1024 * 1024;
const MAX_REASON_CHARS = 500;

const requestPrefixes = prefixesFor(Update.request);

/**
 * The complete SOAP envelope of one Update: the LogicalAddress header (the EI
 * owner's id, rivta-spec §4) and the transactions in the order given.
 */
export function buildUpdateEnvelope(
  transactions: readonly EngagementTransaction[],
  logicalAddress: string,
): string {
  const body = encodeElement(
    'Update',
    Update.responderNs,
    Update.request,
    { engagementTransaction: transactions },
    requestPrefixes,
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${NS.soapEnv}">` +
    `<soapenv:Header><reg:LogicalAddress xmlns:reg="${NS.registry}">${escapeText(logicalAddress)}</reg:LogicalAddress></soapenv:Header>` +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

function child(element: XmlElement | undefined, ns: string, local: string) {
  return element?.children.find((c) => c.ns === ns && c.local === local);
}

/** A reason safe to store and log: person ids masked, bounded length. */
function safeReason(text: string): string {
  const masked = maskPersonIdsInText(text.replace(/\s+/g, ' ').trim());
  return masked.length > MAX_REASON_CHARS ? `${masked.slice(0, MAX_REASON_CHARS)}…` : masked;
}

function byCode(text: string, fallback: ChannelResult): ChannelResult {
  const code = /\b(EI\d{3}|VP\d{3})\b/.exec(text)?.[1];
  if (code && RETRY_CODES.has(code)) return { kind: 'retry', reason: safeReason(text) };
  if (code && PERMANENT_CODES.has(code)) return { kind: 'permanent', reason: safeReason(text) };
  return fallback;
}

/**
 * What an answer from EI (or VP in front of it) means for the dispatcher:
 * HTTP 200 with ResultCode OK is delivered; a fault with a known code is
 * retried or not by that code; any other 5xx, and anything unreadable, is
 * treated as passing and retried.
 */
export function classifyEiAnswer(
  status: number,
  body: string,
  retryAfterMs?: number,
): ChannelResult {
  const later = (reason: string): ChannelResult => ({
    kind: 'retry',
    reason: safeReason(reason),
    ...(retryAfterMs === undefined ? {} : { afterMs: retryAfterMs }),
  });
  let envelope: XmlElement | undefined;
  try {
    envelope = parseXml(body);
  } catch {
    envelope = undefined;
  }
  const soapBody = child(envelope, NS.soapEnv, 'Body');
  const fault = child(soapBody, NS.soapEnv, 'Fault');
  if (fault) {
    const faultstring = fault.children.find((c) => c.local === 'faultstring')?.text ?? '';
    const text = `HTTP ${status} fault: ${faultstring || '(no faultstring)'}`;
    return byCode(faultstring, later(text));
  }
  if (status === 200) {
    const response = child(soapBody, Update.responderNs, 'UpdateResponse');
    const resultCode = child(response, Update.responderNs, 'ResultCode')?.text.trim();
    const comment = child(response, Update.responderNs, 'comment')?.text ?? '';
    if (resultCode === 'OK' || resultCode === 'INFO') return { kind: 'delivered' };
    if (resultCode === 'ERROR') {
      // EI-TKB R7 describes errors as ResultCode ERROR; the real EI uses faults.
      const text = `ResultCode ERROR: ${comment || '(no comment)'}`;
      return byCode(comment, { kind: 'permanent', reason: safeReason(text) });
    }
    return later('HTTP 200 without an UpdateResponse ResultCode');
  }
  return later(`HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
}

/** Options the tests and the composition root may set. */
export interface EngagementIndexChannelOptions {
  /** Correlation id for each call; a fresh UUID by default. */
  readonly correlationId?: () => string;
  /** Override of the gap between two deliveries of one key (tests shorten it). */
  readonly keyGapMs?: number;
}

/** The `engagement-index` channel. */
export class EngagementIndexChannel implements Channel {
  readonly name = EI_CHANNEL;
  readonly batchSize: number;
  readonly keyGapMs: number;
  readonly leaseMs: number | undefined;
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly correlationId: () => string;

  constructor(
    private readonly config: EiConfig,
    options: EngagementIndexChannelOptions = {},
  ) {
    if (!config.url) throw new Error('EngagementIndexChannel needs config.url');
    this.url = new URL(config.url);
    this.batchSize = Math.min(Math.max(1, config.batchSize), EI_MAX_BATCH);
    this.keyGapMs = options.keyGapMs ?? EI_COLLECT_WINDOW_GAP_MS;
    this.leaseMs = config.leaseMs;
    this.correlationId = options.correlationId ?? randomUUID;
    if (this.url.protocol === 'https:') {
      const tls = config.tls;
      this.agent = new HttpsAgent({
        keepAlive: true,
        minVersion: 'TLSv1.2',
        ...(tls
          ? {
              cert: readFileSync(tls.cert),
              key: readFileSync(tls.key),
              ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
            }
          : {}),
      });
    } else {
      this.agent = new HttpAgent({ keepAlive: true });
    }
  }

  async deliver(messages: readonly ClaimedMessage[], signal: AbortSignal): Promise<ChannelResult> {
    if (messages.length === 0) return { kind: 'delivered' };
    if (messages.length > this.batchSize)
      throw new Error(`EI batch of ${messages.length} exceeds ${this.batchSize}`);
    const xml = buildUpdateEnvelope(
      messages.map((m) => m.payload as EngagementTransaction),
      this.config.logicalAddress,
    );
    try {
      const { status, body, retryAfterMs } = await this.post(xml, signal);
      return classifyEiAnswer(status, body, retryAfterMs);
    } catch (err) {
      return { kind: 'retry', reason: safeReason(`transport: ${(err as Error).message}`) };
    }
  }

  /** Lets idle keep-alive connections go, so a process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private post(
    xml: string,
    signal: AbortSignal,
  ): Promise<{ status: number; body: string; retryAfterMs: number | undefined }> {
    const payload = Buffer.from(xml, 'utf8');
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(this.url, {
        method: 'POST',
        agent: this.agent,
        signal,
        headers: {
          'Content-Type': 'text/xml; charset=UTF-8',
          'Content-Length': payload.length,
          SOAPAction: `"${Update.soapAction}"`,
          'x-skltp-correlation-id': this.correlationId(),
        },
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer within ${this.config.timeoutMs} ms`)),
        this.config.timeoutMs,
      );
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            retryAfterMs: retryAfterMs(res.headers['retry-after']),
          });
        });
      });
      req.end(payload);
    });
  }
}
