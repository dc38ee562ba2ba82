import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PingForConfiguration } from '../../src/contracts/monitoring.ts';
import { MakeBooking } from '../../src/contracts/scheduling.ts';
import { NS } from '../../src/contracts/namespaces.ts';
import { encodeElement, prefixesFor } from '../../src/xml/encode.ts';
import {
  assertValidAgainstGenerated,
  assertValidAgainstNational,
  generatedErrors,
  nationalErrors,
  skipWithoutNationalContracts,
} from './national-schemas.ts';

const envelope = (body: string, extraNs = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soapEnv}"${extraNs}><soap:Header/><soap:Body>${body}</soap:Body></soap:Envelope>`;

const makeBookingResponse = (value: object) =>
  encodeElement(
    'MakeBookingResponse',
    MakeBooking.responderNs,
    MakeBooking.response,
    value as never,
    prefixesFor(MakeBooking.response),
  );

const ping = encodeElement(
  'PingForConfigurationResponse',
  PingForConfiguration.responderNs,
  PingForConfiguration.response,
  { version: '0.1.0', pingDateTime: '20261201093000', configuration: [] },
  prefixesFor(PingForConfiguration.response),
);

describe('the national-schema validation harness', { skip: skipWithoutNationalContracts }, () => {
  it('validates the single Body child of a SOAP 1.1 envelope', () => {
    assertValidAgainstNational(
      envelope(makeBookingResponse({ bookingId: 'b1', resultCode: 'OK' })),
    );
    assertValidAgainstNational(envelope(ping));
  });

  it('validates a bare root element by its namespace', () => {
    assertValidAgainstNational(ping);
    assertValidAgainstNational(`<LogicalAddress xmlns="${NS.registry}">SE123</LogicalAddress>`);
  });

  it('throws an AssertionError that lists what libxml2 found', () => {
    const bad = envelope(makeBookingResponse({ resultCode: 'MAYBE' }));
    assert.throws(
      () => assertValidAgainstNational(bad),
      (err: Error) => err.name === 'AssertionError' && /resultCode.*MAYBE/s.test(err.message),
    );
    assert.throws(() => assertValidAgainstGenerated(bad), /resultCode/);
  });

  it('checks a SOAP Fault for SOAP 1.1 fault shape instead of an XSD', () => {
    const fault = (inner: string) => envelope(`<soap:Fault>${inner}</soap:Fault>`);
    assert.deepEqual(
      nationalErrors(fault('<faultcode>soap:Server</faultcode><faultstring>x</faultstring>')),
      [],
    );
    assert.match(
      nationalErrors(fault('<faultcode>Server</faultcode><faultstring>x</faultstring>')).join(),
      /not a prefixed QName/,
    );
    assert.match(
      nationalErrors(fault('<faultcode>env:Server</faultcode><faultstring>x</faultstring>')).join(),
      /not bound/,
    );
    assert.match(
      nationalErrors(fault('<faultcode>soap:Client</faultcode>')).join(),
      /faultstring is missing/,
    );
    assert.match(
      nationalErrors(
        fault('<faultstring>x</faultstring><faultcode>soap:Client</faultcode>'),
      ).join(),
      /misplaced/,
    );
  });

  it('refuses SOAP 1.2, an empty Body, an unknown namespace and malformed XML', () => {
    assert.match(
      nationalErrors(`<e:Envelope xmlns:e="${NS.soap12Env}"><e:Body/></e:Envelope>`).join(),
      /SOAP 1\.2/,
    );
    assert.match(nationalErrors(envelope('')).join(), /0 child elements/);
    assert.match(nationalErrors('<x xmlns="urn:nobody"/>').join(), /no schema declares/);
    assert.match(nationalErrors('<x>').join(), /not well-formed/);
  });

  it('never echoes a personnummer from the document in its messages', () => {
    const errors = nationalErrors(makeBookingResponse({ resultCode: '191212121212' }));
    assert.match(errors.join('\n'), /resultCode.*19121212-\*\*\*\*/s);
    assert.doesNotMatch(errors.join('\n'), /191212121212/);
  });

  it('logs one line per national XSD validation when TIDBOK_VALIDATION_LOG is set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidbok-log-'));
    const log = join(dir, 'validations.log');
    const previous = process.env['TIDBOK_VALIDATION_LOG'];
    process.env['TIDBOK_VALIDATION_LOG'] = log;
    try {
      nationalErrors(envelope(ping));
      nationalErrors(makeBookingResponse({ resultCode: 'OK' }));
      generatedErrors(ping);
      assert.equal(
        readFileSync(log, 'utf8'),
        `${PingForConfiguration.responderNs} PingForConfigurationResponse\n` +
          `${MakeBooking.responderNs} MakeBookingResponse\n`,
      );
    } finally {
      if (previous === undefined) delete process.env['TIDBOK_VALIDATION_LOG'];
      else process.env['TIDBOK_VALIDATION_LOG'] = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validation against our generated schemas', () => {
  it('needs no national files and accepts what the national ones accept', () => {
    assertValidAgainstGenerated(envelope(ping));
    assert.match(generatedErrors(`<x xmlns="urn:nobody"/>`).join(), /no schema declares/);
  });
});
