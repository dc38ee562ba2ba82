/**
 * A small typed SOAP 1.1 client for the crm:scheduling and monitoring
 * contracts, over the project's contract codec. It plays the consumer (MVK
 * through the platform): `tidbok verify` drives a producer with it, and a
 * simulator page can show the same exchanges.
 *
 * Every call gives back one {@link SoapExchange}: the raw request and answer
 * XML, the HTTP status, the contract-schema verdict, and the answer read two
 * ways: strictly by the codec (as our producer reads requests) and leniently
 * (so a caller can go on after a defect). Transport failures become an
 * exchange with status 0, never an exception.
 *
 * @module
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Decoded, Encodable, Interaction } from '../contracts/model.ts';
import { NS } from '../contracts/namespaces.ts';
import { DecodeError, decodeComplex } from '../xml/decode.ts';
import { parseXml, type XmlElement } from '../xml/parse.ts';
import { schemaErrorsOf } from './contract-schemas.ts';
import { readLeniently, type Lenient } from './read-leniently.ts';
import { requestEnvelope, type RivHeaders } from './request-envelope.ts';

/** TLS material for mutual TLS towards a real test environment (PEM text or buffers). */
export interface ClientTls {
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly ca?: string | Buffer;
  /** Check the producer's certificate against `ca` (or the system roots); true unless set. */
  readonly rejectUnauthorized?: boolean;
}

export interface SoapClientOptions {
  /** The producer's base URL; an interaction is called at `<baseUrl><interaction.path>`. */
  readonly baseUrl: string;
  /** Full URLs per interaction name, overriding `baseUrl` (e.g. one URL per contract on a platform). */
  readonly endpoints?: Readonly<Record<string, string>>;
  readonly tls?: ClientTls;
  /** Give up on an answer after this long; 30 s by default (the platform waits 29 s). */
  readonly timeoutMs?: number;
  /** Told about every exchange, in the order the answers arrive. */
  readonly onExchange?: (exchange: SoapExchange) => void;
}

/** What to send besides the body. */
export interface CallOptions extends RivHeaders {
  /** The SOAPAction header: the interaction's own by default, `null` to send none. */
  readonly soapAction?: string | null;
}

/** A SOAP 1.1 Fault as received. */
export interface ReceivedFault {
  readonly code: string;
  readonly message: string;
}

/** One request and its answer. */
export interface SoapExchange<I extends Interaction = Interaction> {
  /** The interaction called (its name). */
  readonly operation: I['name'];
  readonly url: string;
  readonly requestXml: string;
  /** HTTP status; 0 when no answer came (see `transportError`). */
  readonly status: number;
  readonly contentType: string | undefined;
  readonly responseXml: string;
  readonly durationMs: number;
  /** Why no answer came: connection refused, timeout, TLS. */
  readonly transportError?: string;
  /** Errors against the contract schemas (empty = valid); for a fault, its SOAP 1.1 shape. */
  readonly schemaErrors: readonly string[];
  /** Set when the Body holds a SOAP Fault. */
  readonly fault?: ReceivedFault;
  /** The answer element as the codec reads it, when that reading succeeds. */
  readonly response?: Decoded<I['response']>;
  /** Why the strict reading failed (element path and rule), when it did. */
  readonly decodeError?: string;
  /** The answer element read by local names only; present whenever the Body holds `<Op>Response`. */
  readonly lenient?: Lenient<Decoded<I['response']>>;
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** Sends one HTTP request with a body and collects the answer as UTF-8 text. */
function send(
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: string | undefined,
  options: Pick<SoapClientOptions, 'tls' | 'timeoutMs'>,
): Promise<HttpAnswer> {
  const isHttps = url.protocol === 'https:';
  const tls = options.tls ?? {};
  return new Promise((resolve, reject) => {
    const req = (isHttps ? httpsRequest : httpRequest)(url, {
      method,
      headers:
        body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) },
      timeout: options.timeoutMs ?? 30_000,
      ...(isHttps
        ? {
            ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
            ...(tls.key !== undefined ? { key: tls.key } : {}),
            ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
          }
        : {}),
    });
    req.on('timeout', () =>
      req.destroy(new Error(`no answer within ${options.timeoutMs ?? 30_000} ms`)),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.end(body);
  });
}

function soapBodyOf(root: XmlElement): XmlElement | undefined {
  if (root.ns !== NS.soapEnv || root.local !== 'Envelope') return undefined;
  const body = root.children.find((c) => c.ns === NS.soapEnv && c.local === 'Body');
  return body?.children.length === 1 ? body.children[0] : undefined;
}

type Reading<I extends Interaction> = Pick<
  SoapExchange<I>,
  'fault' | 'response' | 'decodeError' | 'lenient'
>;

/** Reads an answer: a fault, or the interaction's response element strictly and leniently. */
function readAnswer<I extends Interaction>(interaction: I, text: string): Reading<I> {
  let element: XmlElement | undefined;
  try {
    element = soapBodyOf(parseXml(text));
  } catch (err) {
    return { decodeError: (err as Error).message };
  }
  if (!element)
    return { decodeError: 'the answer is not a SOAP 1.1 envelope with one Body element' };
  if (element.ns === NS.soapEnv && element.local === 'Fault') {
    const field = (name: string) =>
      element.children.find((c) => c.local === name)?.text.trim() ?? '';
    return { fault: { code: field('faultcode'), message: field('faultstring') } };
  }
  const expected = `${interaction.name}Response`;
  if (element.local !== expected)
    return { decodeError: `the Body holds ${element.local}, not ${expected}` };
  const lenient = readLeniently(interaction.response, element) as Lenient<Decoded<I['response']>>;
  if (element.ns !== interaction.responderNs)
    return {
      lenient,
      decodeError: `${expected} is in namespace '${element.ns}', not '${interaction.responderNs}'`,
    };
  try {
    return {
      lenient,
      response: decodeComplex(interaction.response, element) as Decoded<I['response']>,
    };
  } catch (err) {
    if (err instanceof DecodeError) return { lenient, decodeError: err.message };
    throw err;
  }
}

/** The client; create one per producer. */
export interface SoapClient {
  /** The URL an interaction is called at. */
  urlOf(interaction: Interaction): string;
  /** Calls `interaction` with a request built from a plain object by the contract codec. */
  call<I extends Interaction>(
    interaction: I,
    request: Encodable<I['request']>,
    options?: CallOptions,
  ): Promise<SoapExchange<I>>;
  /** Posts a hand-made (possibly broken) envelope to `interaction`'s address and reads the answer. */
  post<I extends Interaction>(
    interaction: I,
    envelope: string,
    options?: Pick<CallOptions, 'soapAction'>,
  ): Promise<SoapExchange<I>>;
  /** GETs a document (a `?wsdl` or `?xsd=`) and returns status and text; status 0 when none came. */
  get(
    url: string,
  ): Promise<{ status: number; contentType: string | undefined; text: string; error?: string }>;
}

/** Creates a client for one producer. */
export function createSoapClient(options: SoapClientOptions): SoapClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const urlOf = (interaction: Interaction) =>
    options.endpoints?.[interaction.name] ?? base + interaction.path;

  async function post<I extends Interaction>(
    interaction: I,
    envelope: string,
    callOptions: Pick<CallOptions, 'soapAction'> = {},
  ): Promise<SoapExchange<I>> {
    const url = urlOf(interaction);
    const soapAction =
      callOptions.soapAction === undefined ? `"${interaction.soapAction}"` : callOptions.soapAction;
    const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=UTF-8' };
    if (soapAction !== null) headers['SOAPAction'] = soapAction;
    const started = performance.now();
    let exchange: SoapExchange<I>;
    try {
      const answer = await send(new URL(url), 'POST', headers, envelope, options);
      exchange = {
        operation: interaction.name,
        url,
        requestXml: envelope,
        status: answer.status,
        contentType: answer.headers['content-type'],
        responseXml: answer.text,
        durationMs: performance.now() - started,
        schemaErrors: schemaErrorsOf(answer.text),
        ...readAnswer(interaction, answer.text),
      };
    } catch (err) {
      exchange = {
        operation: interaction.name,
        url,
        requestXml: envelope,
        status: 0,
        contentType: undefined,
        responseXml: '',
        durationMs: performance.now() - started,
        transportError: (err as Error).message,
        schemaErrors: [],
      };
    }
    options.onExchange?.(exchange as SoapExchange);
    return exchange;
  }

  return {
    urlOf,
    post,
    call: (interaction, request, callOptions = {}) =>
      post(interaction, requestEnvelope(interaction, request, callOptions), callOptions),
    async get(url) {
      try {
        const answer = await send(new URL(url), 'GET', {}, undefined, options);
        return {
          status: answer.status,
          contentType: answer.headers['content-type'],
          text: answer.text,
        };
      } catch (err) {
        return { status: 0, contentType: undefined, text: '', error: (err as Error).message };
      }
    },
  };
}
