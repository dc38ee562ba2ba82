/**
 * Reading and writing SOAP 1.1 envelopes with the RIV-TA BP 2.1 headers.
 * Everything is matched by namespace URI, never by prefix.
 */
import { NS } from '../contracts/namespaces.ts';
import { actorHeader } from '../contracts/common.ts';
import type { Decoded } from '../contracts/model.ts';
import { DecodeError, decodeComplex } from '../xml/decode.ts';
import { excerpt, qname, type XmlElement } from '../xml/parse.ts';
import { SoapFault } from './fault.ts';

export type Actor = Decoded<typeof actorHeader.type>;

export interface SoapRequest {
  /** The `LogicalAddress` header text, undefined when the header is missing. */
  readonly logicalAddress: string | undefined;
  readonly actor: Actor | undefined;
  /** The single element inside `Body`. */
  readonly body: XmlElement;
}

function isMustUnderstand(element: XmlElement): boolean {
  const value = element.attributes.get(`{${NS.soapEnv}}mustUnderstand`);
  return value !== undefined && (value.trim() === '1' || value.trim() === 'true');
}

/** Splits an envelope into its RIV-TA headers and body element; faults when it is not SOAP 1.1. */
export function readEnvelope(root: XmlElement): SoapRequest {
  if (root.local === 'Envelope' && root.ns === NS.soap12Env)
    throw new SoapFault('VersionMismatch', 'SOAP 1.2 is not supported; send a SOAP 1.1 envelope');
  if (root.local !== 'Envelope' || root.ns !== NS.soapEnv)
    throw new SoapFault(
      'Client',
      `the document is not a SOAP 1.1 Envelope (namespace ${NS.soapEnv})`,
    );

  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const child of root.children) {
    if (child.ns === NS.soapEnv && child.local === 'Header' && !header && !body) header = child;
    else if (child.ns === NS.soapEnv && child.local === 'Body' && !body) body = child;
    else throw new SoapFault('Client', `unexpected element ${child.local} in the SOAP Envelope`);
  }
  if (!body) throw new SoapFault('Client', 'the SOAP Envelope has no Body');
  if (body.children.length !== 1)
    throw new SoapFault('Client', 'the SOAP Body must hold exactly one request element');

  let logicalAddress: string | undefined;
  let actor: Actor | undefined;
  for (const entry of header?.children ?? []) {
    if (entry.ns === NS.registry && entry.local === 'LogicalAddress') {
      if (logicalAddress !== undefined)
        throw new SoapFault('Client', 'the LogicalAddress header may occur only once');
      if (entry.children.length > 0)
        throw new SoapFault('Client', 'the LogicalAddress header must hold text');
      logicalAddress = entry.text.trim();
    } else if (entry.ns === NS.headers && entry.local === 'Actor') {
      try {
        actor = decodeComplex(actorHeader.type, entry, 'Header/Actor');
      } catch (err) {
        if (err instanceof DecodeError) throw new SoapFault('Client', err.message);
        throw err;
      }
    } else if (isMustUnderstand(entry)) {
      throw new SoapFault(
        'MustUnderstand',
        `header ${excerpt(qname(entry))} is marked mustUnderstand and is not understood here`,
      );
    }
    // Other headers are ignored (RIV-TA forward compatibility).
  }
  return { logicalAddress, actor, body: body.children[0]! };
}

/** What comes before and after the response element in a SOAP 1.1 envelope. */
export const RESPONSE_ENVELOPE = {
  head:
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soap:Envelope xmlns:soap="${NS.soapEnv}"><soap:Body>`,
  tail: '</soap:Body></soap:Envelope>',
} as const;

/** Wraps a response element in a SOAP 1.1 envelope. */
export function responseEnvelope(bodyXml: string): string {
  return RESPONSE_ENVELOPE.head + bodyXml + RESPONSE_ENVELOPE.tail;
}
