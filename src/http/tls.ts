/**
 * The HTTPS side of the SOAP listener: mutual TLS as the national platform
 * speaks it. The service platform (VP) calls with a SITHS function
 * certificate whose subject serialNumber (OID 2.5.4.5) is its HSA-id
 * (rivta-spec §1); that id is who the consumer is.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { TlsFiles } from '../config/config.ts';

/** PEM contents of the server certificate, its key and the client CA bundle. */
export interface TlsMaterial {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly clientCa: string | Buffer;
}

/** Reads the PEM files the configuration names. */
export function readTlsFiles(files: TlsFiles): TlsMaterial {
  return {
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
    clientCa: readFileSync(files.clientCa),
  };
}

/** Server options that refuse, during the handshake, every client without a certificate from the CA. */
export function mutualTlsOptions(material: TlsMaterial): ServerOptions {
  return {
    cert: material.cert,
    key: material.key,
    ca: material.clientCa,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  };
}

/**
 * The HSA-id in the verified client certificate's subject serialNumber, or
 * undefined on plain HTTP or a certificate without one.
 */
export function clientCertificateHsaId(req: IncomingMessage): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const serial = socket.getPeerCertificate().subject?.serialNumber as string | string[] | undefined;
  const id = Array.isArray(serial) ? serial[0] : serial;
  return id?.trim() || undefined;
}
