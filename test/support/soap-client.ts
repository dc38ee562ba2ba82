/**
 * A SOAP 1.1 test client. Every answer it receives is checked against the
 * national XSDs (when ../shared/contracts is present) before a test sees it,
 * so no test can produce a response that escapes conformance checking.
 */
import assert from 'node:assert/strict';
import { NS } from '../../src/contracts/namespaces.ts';
import type { ComplexType, Decoded, Encodable, Interaction } from '../../src/contracts/model.ts';
import { decodeComplex } from '../../src/xml/decode.ts';
import { encodeElement, prefixesFor } from '../../src/xml/encode.ts';
import { escapeText } from '../../src/xml/escape.ts';
import { parseXml, type XmlElement } from '../../src/xml/parse.ts';
import { httpsPost } from './https-post.ts';
import { assertValidAgainstNational, nationalContractsDir } from './national-schemas.ts';

export interface RawAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  /** The element inside soap:Body. */
  readonly body: XmlElement;
  readonly fault?: { readonly code: string; readonly message: string };
}

export interface EnvelopeOptions {
  readonly logicalAddress?: string;
  readonly actor?: { actorId: string; actorType: string };
  /** Raw XML inserted into soap:Header after the RIV headers. */
  readonly extraHeaders?: string;
}

/** A request envelope built by our encoder from the interaction's description. */
export function requestEnvelope<I extends Interaction>(
  interaction: I,
  request: Encodable<I['request']>,
  options: EnvelopeOptions = {},
): string {
  const body = encodeElement(
    interaction.name,
    interaction.responderNs,
    interaction.request,
    request as never,
    prefixesFor(interaction.request as ComplexType),
  );
  return wrapRequest(body, options);
}

/** Wraps a hand-written body element in an envelope with RIV headers. */
export function wrapRequest(bodyXml: string, options: EnvelopeOptions = {}): string {
  const headers: string[] = [];
  if (options.logicalAddress !== undefined)
    headers.push(
      `<LogicalAddress xmlns="${NS.registry}">${escapeText(options.logicalAddress)}</LogicalAddress>`,
    );
  if (options.actor)
    headers.push(
      `<h:Actor xmlns:h="${NS.headers}"><h:actorId>${options.actor.actorId}</h:actorId>` +
        `<h:actorType>${options.actor.actorType}</h:actorType></h:Actor>`,
    );
  if (options.extraHeaders) headers.push(options.extraHeaders);
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soapEnv}">` +
    `<soapenv:Header>${headers.join('')}</soapenv:Header><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`
  );
}

/** Posts raw bytes or text; validates and parses the answer. */
export async function postSoap(
  url: string,
  payload: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=UTF-8', ...headers },
    // As a Uint8Array: the DOM's fetch types (Preact's types bring them in) take no Buffer.
    body: typeof payload === 'string' ? payload : new Uint8Array(payload),
  });
  return parseAnswer(response.status, response.headers.get('content-type'), await response.text());
}

/**
 * Posts like {@link postSoap}, over a connection of its own that is closed
 * after the answer: a pool of worker processes behind one port hands each
 * new connection to the next worker, so calls made so reach every worker.
 */
export async function postSoapOnNewConnection(
  url: string,
  payload: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const answer = await httpsPost(url, payload, {}, headers);
  return parseAnswer(answer.status, answer.contentType, answer.text);
}

/** Validates and parses an answer received by any HTTP client (HTTPS tests use node:https). */
export function parseAnswer(status: number, contentType: string | null, text: string): RawAnswer {
  if (nationalContractsDir) assertValidAgainstNational(text);
  const envelope = parseXml(text);
  assert.equal(envelope.ns, NS.soapEnv, 'the answer is a SOAP 1.1 envelope');
  const soapBody = envelope.children.find((c) => c.local === 'Body' && c.ns === NS.soapEnv);
  assert.ok(soapBody && soapBody.children.length === 1, 'the answer has one Body element');
  const body = soapBody.children[0]!;
  if (body.local === 'Fault' && body.ns === NS.soapEnv) {
    const code = body.children.find((c) => c.local === 'faultcode')?.text ?? '';
    const message = body.children.find((c) => c.local === 'faultstring')?.text ?? '';
    return { status, contentType, text, body, fault: { code, message } };
  }
  return { status, contentType, text, body };
}

export interface CallResult<I extends Interaction> extends RawAnswer {
  /** The decoded response when the answer was not a fault. */
  readonly response?: Decoded<I['response']>;
}

/** Calls an interaction at `baseUrl` with a request built from a plain object. */
export async function callSoap<I extends Interaction>(
  baseUrl: string,
  interaction: I,
  request: Encodable<I['request']>,
  options: EnvelopeOptions = {},
  post: typeof postSoap = postSoap,
): Promise<CallResult<I>> {
  const answer = await post(
    baseUrl + interaction.path,
    requestEnvelope(interaction, request, options),
    { SOAPAction: `"${interaction.soapAction}"` },
  );
  if (answer.fault) return answer;
  assert.equal(answer.body.local, `${interaction.name}Response`);
  assert.equal(answer.body.ns, interaction.responderNs);
  return {
    ...answer,
    response: decodeComplex(interaction.response, answer.body) as Decoded<I['response']>,
  };
}

/** Asserts an answer is a SOAP 1.1 fault with HTTP 500 and the expected code. */
export function assertFault(
  answer: RawAnswer,
  code: 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand',
  messagePattern?: RegExp,
) {
  assert.equal(
    answer.status,
    500,
    `expected HTTP 500, got ${answer.status}: ${answer.text.slice(0, 300)}`,
  );
  assert.match(answer.contentType ?? '', /^text\/xml; charset=UTF-8$/i);
  assert.ok(answer.fault, 'the answer is a SOAP Fault');
  assert.match(answer.fault.code, new RegExp(`^[A-Za-z0-9_]+:${code}$`));
  assert.doesNotMatch(
    answer.fault.message,
    /\bat .+\(.+:\d+:\d+\)/,
    'no stack trace in faultstring',
  );
  if (messagePattern) assert.match(answer.fault.message, messagePattern);
}
