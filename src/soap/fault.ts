/**
 * SOAP 1.1 faults. RIV-TA reports technical errors as faults (TS21 #11), with
 * HTTP 500 (WS-I R1126): the platform (VP) passes a producer fault through
 * only when it is HTTP 500 with a SOAP 1.1 envelope, anything else becomes
 * its generic VP009 (rivta-spec §1 Errors).
 */
import { escapeText } from '../xml/escape.ts';
import { NS } from '../contracts/namespaces.ts';
import { maskPersonIdsInText } from '../domain/personnummer.ts';

/** `Client`: the caller must change the request. `Server`: our fault; retrying may help. */
export type FaultCode = 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand';

/** A fault to answer with. `message` is shown to a person: no stack traces, no personal data. */
export class SoapFault extends Error {
  override readonly name = 'SoapFault';
  constructor(
    readonly code: FaultCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The full envelope for a fault. A faultstring that quotes the request (a
 * LogicalAddress, a namespace) never carries a person id in clear, whatever
 * the caller sent.
 */
export function faultEnvelope(fault: SoapFault): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soap:Envelope xmlns:soap="${NS.soapEnv}"><soap:Body><soap:Fault>` +
    `<faultcode>soap:${fault.code}</faultcode>` +
    `<faultstring>${escapeText(maskPersonIdsInText(fault.message))}</faultstring>` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}
