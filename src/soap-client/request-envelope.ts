/**
 * Request envelopes as a RIV-TA consumer (MVK through the platform) sends
 * them: SOAP 1.1, the `LogicalAddress` header in `urn:riv:itintegration:registry:1`,
 * the optional scheduling `Actor` header, and a body encoded by the contract codec.
 */
import { actorHeader } from '../contracts/common.ts';
import type { ComplexType, Encodable, Interaction } from '../contracts/model.ts';
import { NS } from '../contracts/namespaces.ts';
import { encodeElement, prefixesFor } from '../xml/encode.ts';
import { escapeText } from '../xml/escape.ts';

/** The scheduling Actor header: who the call is made for. */
export type Actor = Encodable<typeof actorHeader.type>;

/** The RIV headers of one request. */
export interface RivHeaders {
  /** The addressed unit's HSA-id; leave it out to send no LogicalAddress header at all. */
  readonly logicalAddress?: string;
  readonly actor?: Actor;
}

/** The request element of `interaction`, encoded by the contract codec (sequence order, namespaces). */
export function encodeRequest<I extends Interaction>(
  interaction: I,
  request: Encodable<I['request']>,
): string {
  return encodeElement(
    interaction.name,
    interaction.responderNs,
    interaction.request,
    request as never,
    prefixesFor(interaction.request as ComplexType),
  );
}

/** Wraps a request element (built by {@link encodeRequest}, or by hand) in an envelope with RIV headers. */
export function wrapInEnvelope(bodyXml: string, headers: RivHeaders = {}): string {
  const parts: string[] = [];
  if (headers.logicalAddress !== undefined)
    parts.push(
      `<reg:LogicalAddress xmlns:reg="${NS.registry}">${escapeText(headers.logicalAddress)}</reg:LogicalAddress>`,
    );
  if (headers.actor)
    parts.push(
      encodeElement(
        actorHeader.element,
        actorHeader.ns,
        actorHeader.type,
        headers.actor,
        actorPrefixes,
      ),
    );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${NS.soapEnv}"><soapenv:Header>${parts.join('')}</soapenv:Header>` +
    `<soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`
  );
}

const actorPrefixes = new Map([[NS.headers, 'hdr']]);

/** A complete request envelope for `interaction`. */
export function requestEnvelope<I extends Interaction>(
  interaction: I,
  request: Encodable<I['request']>,
  headers: RivHeaders = {},
): string {
  return wrapInEnvelope(encodeRequest(interaction, request), headers);
}
