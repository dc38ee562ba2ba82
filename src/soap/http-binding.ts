/**
 * SOAP 1.1 over HTTP for our operations: reads the body within limits,
 * decodes it to the charset it declares, parses it hardened, picks the
 * operation from the body root QName (never from SOAPAction: BP21 #15 and VP
 * pass it through unchanged, so it may be missing, empty, quoted or wrong),
 * checks the LogicalAddress, runs the handler and encodes the answer. The
 * address check and the handler read the calendar through one view, so the
 * calendar version is read once per request.
 *
 * Technical problems become SOAP 1.1 faults with HTTP 500; business refusals
 * are the handlers' own `resultCode=ERROR` answers with HTTP 200.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TextDecoder } from 'node:util';
import type { Interaction, RequestOf, ResponseOf } from '../contracts/model.ts';
import { DecodeError, decodeComplex } from '../xml/decode.ts';
import {
  answerPrefixesFor,
  encodeElementBytes,
  type BytesOf,
  type Prefixes,
} from '../xml/encode.ts';
import { XmlParseError, excerpt, parseXml, qname, type ParseLimits } from '../xml/parse.ts';
import type { AnyOperation, Operation } from '../operations/operation.ts';
import type { Logger } from '../logging/logger.ts';
import { logSafeUuid } from '../logging/log-safe-id.ts';
import { SlabPool, SlabWriter } from './answer-slabs.ts';
import { SoapFault, faultEnvelope } from './fault.ts';
import { RESPONSE_ENVELOPE, readEnvelope, type SoapRequest } from './envelope.ts';
import type { CalendarView } from '../store/calendar-store.ts';
import { StoreUnavailableError } from '../store/errors.ts';

export interface SoapBindingLimits extends ParseLimits {
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Longest a handler may take before we answer with a Server fault (VP gives up at ~27-29 s). */
  readonly handlerTimeoutMs: number;
}

export const defaultSoapLimits: SoapBindingLimits = {
  maxBodyBytes: 1024 * 1024,
  maxDepth: 64,
  maxElements: 100_000,
  handlerTimeoutMs: 25_000,
};

export interface SoapBindingDeps {
  readonly operations: readonly AnyOperation[];
  /**
   * Opens the view of the calendar one request reads through (the store's
   * `view()`): the LogicalAddress check (is it a facility we serve?) and the
   * handler share it, so the calendar version is read once per request.
   */
  readonly calendarView: () => CalendarView;
  /** This producer's own HSA-id, also accepted as PingForConfiguration's address. */
  readonly producerHsaId?: string;
  readonly logger: Logger;
  readonly limits?: Partial<SoapBindingLimits>;
  readonly now?: () => number;
  /** Called once per answered request (metrics); must not throw. */
  readonly onRequest?: (summary: SoapRequestSummary) => void;
  /**
   * Who calls, and why they may not (client certificate, original consumer);
   * absent lets everyone in. A refusal is answered with a Client fault.
   */
  readonly identifyCaller?: (req: IncomingMessage) => SoapCaller;
  /** Where answers sent once keep their bytes until sent (a pool of the binding's own unless given). */
  readonly answerSlabs?: SlabPool;
}

/** The caller of one request as the binding logs it, and why it is refused, if it is. */
export interface SoapCaller {
  readonly consumerHsaId?: string;
  readonly originalConsumerHsaId?: string;
  /** A faultstring when the caller may not call. */
  readonly refusal?: string;
}

/** One answered SOAP request, as metrics see it. */
export interface SoapRequestSummary {
  /** The interaction name (the address's, when the body could not be read). */
  readonly operation: string;
  /** The answer's resultCode (`OK`, `INFO`, `ERROR`), `OK` for answers without one, or `fault`. */
  readonly outcome: string;
  readonly durationMs: number;
  readonly status: number;
}

interface Prepared {
  readonly operation: AnyOperation;
  readonly prefixes: Prefixes;
  readonly responseName: string;
}

const CONTENT_TYPE = 'text/xml; charset=UTF-8';

/**
 * An answer's bytes as the encoder cut them (see `encodeElementBytes`), and
 * their sum; `release` gives back the pooled memory they are in, once sent.
 */
interface Payload {
  readonly chunks: readonly Buffer[];
  readonly bytes: number;
  readonly release?: () => void;
}

function payloadOf(chunks: readonly Buffer[], release?: () => void): Payload {
  let bytes = 0;
  for (const chunk of chunks) bytes += chunk.length;
  return release ? { chunks, bytes, release } : { chunks, bytes };
}

class BodyTooLargeError extends Error {}

/**
 * The whole request body. Plain stream events rather than `for await`: an async
 * iterator per request costs more than the parsing of a small SOAP request.
 * Past `maxBytes` the rest is read and dropped (the answer closes the connection).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes)
    return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Methods of one object rather than named arrow functions: tsx (esbuild's
    // keepNames) gives every named function a defineProperty call as it is
    // created, here four per request.
    const on = {
      settle(error?: Error) {
        req.off('data', on.data).off('end', on.end).off('error', on.settle).off('close', on.close);
        if (error) {
          req.on('data', () => undefined); // drain the rest; the connection is closed after the answer
          reject(error);
        } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      },
      data(chunk: Buffer) {
        size += chunk.length;
        if (size > maxBytes) on.settle(new BodyTooLargeError());
        else chunks.push(chunk);
      },
      end() {
        on.settle();
      },
      close() {
        on.settle(new Error('the client closed the connection before the body ended'));
      },
    };
    req.on('data', on.data).on('end', on.end).on('error', on.settle).on('close', on.close);
  });
}

/** The charset a request declares (Content-Type first, then the XML declaration); UTF-8 by default. */
function charsetOf(req: IncomingMessage, body: Buffer): string {
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(req.headers['content-type'] ?? '');
  if (fromHeader) return fromHeader[1]!;
  const head = body.subarray(0, 200).toString('latin1');
  const fromDecl = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/.exec(head);
  return fromDecl ? fromDecl[1]! : 'utf-8';
}

/**
 * Decoders by charset label, lower-cased (labels match case-insensitively, so
 * this holds at most one per label the platform knows). A decode of a whole
 * body (not streamed) ends by resetting the decoder, so one serves every
 * request; building one per request cost more than decoding a small body.
 */
const decoders = new Map<string, TextDecoder>();

function decodeText(req: IncomingMessage, body: Buffer): string {
  const charset = charsetOf(req, body);
  const label = charset.toLowerCase();
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(charset, { fatal: true });
    } catch {
      throw new SoapFault('Client', `unsupported character encoding '${charset}'; send UTF-8`);
    }
    decoders.set(label, decoder);
  }
  try {
    return decoder.decode(body);
  } catch {
    // A converter stopped mid-sequence is not trusted with the next request.
    decoders.delete(label);
    throw new SoapFault('Client', `the request body is not valid ${charset}`);
  }
}

/** `promise`, or a Server fault after `ms`; one promise, where a race and a `finally` made three. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new SoapFault('Server', 'the request took too long to process; try again')),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Creates the request handler for every operation path. */
export function createSoapBinding(deps: SoapBindingDeps) {
  const limits = { ...defaultSoapLimits, ...deps.limits };
  const now = deps.now ?? Date.now;
  const byBodyQName = new Map<string, Prepared>();
  for (const operation of deps.operations) {
    const { interaction } = operation;
    byBodyQName.set(`{${interaction.responderNs}}${interaction.name}`, {
      operation,
      prefixes: answerPrefixesFor(interaction.response),
      responseName: `${interaction.name}Response`,
    });
  }

  // Answers are immutable once a handler returns them, so one that hands back the
  // same object again (a reused availability answer) is written only once more, down
  // to the UTF-8 bytes of its envelope: a 19 KiB answer is then neither concatenated,
  // measured nor transcoded again on its way to the socket. Those kept bytes are
  // memory of their own. An answer seen for the first time is written into pooled
  // slabs given back when it is sent (see answer-slabs.ts): most answers (a
  // schedule, a booking) are never handed back, and their bytes are then not new
  // memory for the collector to chase. One seen again is written anew to keep.
  const encoded = new WeakMap<object, Payload>();
  const sentOnce = new WeakSet<object>();
  const slabs = deps.answerSlabs ?? new SlabPool();

  function encodeAnswer<I extends Interaction>(
    prepared: Prepared,
    interaction: I,
    response: ResponseOf<I>,
  ): Payload {
    const encode = (bytesOf?: BytesOf) =>
      encodeElementBytes(
        prepared.responseName,
        interaction.responderNs,
        interaction.response,
        response,
        prepared.prefixes,
        RESPONSE_ENVELOPE.head,
        RESPONSE_ENVELOPE.tail,
        bytesOf,
      );
    let payload = encoded.get(response);
    if (payload !== undefined) return payload;
    if (sentOnce.has(response)) {
      payload = payloadOf(encode());
      encoded.set(response, payload);
      return payload;
    }
    sentOnce.add(response);
    const writer = new SlabWriter(slabs);
    return payloadOf(encode(writer.bytesOf), () => writer.release());
  }

  async function process(
    req: IncomingMessage,
    pathOperation: AnyOperation,
    correlationId: string,
    log: Record<string, unknown>,
  ): Promise<Payload> {
    const body = await readBody(req, limits.maxBodyBytes);
    const text = decodeText(req, body);
    const root = parseXml(text, limits);
    const envelope = readEnvelope(root);

    const prepared = byBodyQName.get(qname(envelope.body));
    if (!prepared)
      throw new SoapFault(
        'Client',
        `unknown request element ${excerpt(qname(envelope.body))}; this address serves ` +
          `{${pathOperation.interaction.responderNs}}${pathOperation.interaction.name}`,
      );
    const { operation } = prepared;
    log['operation'] = operation.interaction.name;
    if (operation !== pathOperation)
      throw new SoapFault(
        'Client',
        `${operation.interaction.name} is not served at this address; use ${operation.interaction.path}`,
      );

    const address = envelope.logicalAddress;
    log['logicalAddress'] = address;
    if (!address)
      throw new SoapFault(
        'Client',
        'the LogicalAddress header ({urn:riv:itintegration:registry:1}LogicalAddress) is missing or empty',
      );

    return operation.withTypes((typed) =>
      answer(typed, prepared, envelope, address, correlationId, log),
    );
  }

  /** Decodes the body as `operation`'s request, checks its addressing, runs it and encodes the answer. */
  async function answer<I extends Interaction>(
    operation: Operation<I>,
    prepared: Prepared,
    envelope: SoapRequest,
    address: string,
    correlationId: string,
    log: Record<string, unknown>,
  ): Promise<Payload> {
    let request: RequestOf<I>;
    try {
      request = decodeComplex<I['request']>(operation.interaction.request, envelope.body);
    } catch (err) {
      if (err instanceof DecodeError)
        throw new SoapFault('Client', `invalid request: ${err.message}`);
      throw err;
    }

    const calendar = deps.calendarView();
    const isFacility = (await calendar.getFacility(address)) !== undefined;
    const isProducer =
      deps.producerHsaId !== undefined &&
      address.toLowerCase() === deps.producerHsaId.toLowerCase();
    if (!isFacility && !(operation.addressing === 'producer' && isProducer))
      throw new SoapFault(
        'Client',
        `LogicalAddress '${address}' is not a healthcare facility served by this producer`,
      );
    const allowed = await operation.facilitiesOf?.(request);
    if (allowed && !allowed.some((f) => f.toLowerCase() === address.toLowerCase()))
      throw new SoapFault(
        'Client',
        `LogicalAddress '${address}' does not match the request's healthcare_facility '${allowed[0]}'`,
      );

    const response: ResponseOf<I> = await withTimeout(
      operation.handle(request, {
        logicalAddress: address,
        actor: envelope.actor,
        nowUtcMs: now(),
        correlationId,
        calendar,
      }),
      limits.handlerTimeoutMs,
    );
    const resultCode: unknown = (response as { resultCode?: unknown }).resultCode;
    if (typeof resultCode === 'string') log['resultCode'] = resultCode;
    return encodeAnswer(prepared, operation.interaction, response);
  }

  /** Handles a POST to `pathOperation`'s address. */
  return async function handleSoap(
    req: IncomingMessage,
    res: ServerResponse,
    pathOperation: AnyOperation,
  ): Promise<void> {
    const started = performance.now();
    const header = req.headers['x-skltp-correlation-id'];
    const correlationId = (Array.isArray(header) ? header[0] : header) || logSafeUuid();
    const caller: SoapCaller = deps.identifyCaller?.(req) ?? {};
    const log: Record<string, unknown> = {
      correlationId,
      operation: pathOperation.interaction.name,
      ...(caller.consumerHsaId !== undefined ? { consumerHsaId: caller.consumerHsaId } : {}),
      ...(caller.originalConsumerHsaId !== undefined
        ? { originalConsumerHsaId: caller.originalConsumerHsaId }
        : {}),
    };
    let status = 200;
    let payload: Payload;
    try {
      if (caller.refusal !== undefined) throw new SoapFault('Client', caller.refusal);
      payload = await process(req, pathOperation, correlationId, log);
    } catch (err) {
      status = 500;
      let fault: SoapFault;
      if (err instanceof SoapFault) fault = err;
      else if (err instanceof XmlParseError) fault = new SoapFault('Client', err.message);
      else if (err instanceof BodyTooLargeError) {
        fault = new SoapFault('Client', `the request body exceeds ${limits.maxBodyBytes} bytes`);
        // The rest of an oversized body is not read; close the connection instead.
        res.setHeader('Connection', 'close');
      } else if (err instanceof StoreUnavailableError) {
        // Passing: the database was busy or its connection lost (the store has retried).
        fault = new SoapFault('Server', err.message);
        deps.logger.warn(
          { correlationId, reason: err.reason },
          'request failed: store unavailable',
        );
      } else {
        fault = new SoapFault('Server', 'an internal error stopped the request; try again later');
        deps.logger.error({ correlationId, err }, 'request failed with an internal error');
      }
      log['fault'] = `${fault.code}: ${fault.message}`;
      payload = payloadOf([Buffer.from(faultEnvelope(fault), 'utf8')]);
    }
    const durationMs = performance.now() - started;
    log['durationMs'] = Math.round(durationMs * 100) / 100;
    log['status'] = status;
    deps.onRequest?.({
      operation: log['operation'] as string,
      outcome: status === 200 ? ((log['resultCode'] as string | undefined) ?? 'OK') : 'fault',
      durationMs,
      status,
    });
    if (caller.refusal !== undefined)
      deps.logger.warn(log, 'soap request refused: caller not allowed');
    else deps.logger.info(log, 'soap request');
    res.writeHead(status, {
      'Content-Type': CONTENT_TYPE,
      'Content-Length': payload.bytes,
    });
    // 'finish' comes once the socket has taken the last byte (the write
    // callbacks have run); an answer cut short by a closed connection keeps
    // its slabs out of the pool, since a cancelled write may still hold them.
    if (payload.release) res.once('finish', payload.release);
    if (payload.chunks.length === 1) {
      res.end(payload.chunks[0]);
      return;
    }
    // A large answer: one writev for all its chunks (end() uncorks).
    res.cork();
    for (const chunk of payload.chunks) res.write(chunk);
    res.end();
  };
}
