import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GetAllTimeTypes } from '../contracts/scheduling.ts';
import { NS } from '../contracts/namespaces.ts';
import { parseXml } from '../xml/parse.ts';
import { createSoapClient } from './soap-client.ts';

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soapEnv}"><s:Body>${body}</s:Body></s:Envelope>`;
const timeTypes = (typeNs: string) =>
  envelope(
    `<r:GetAllTimeTypesResponse xmlns:r="${GetAllTimeTypes.responderNs}" xmlns:c="${typeNs}"><r:ListOfTimeTypes>` +
      `<c:timeTypeName>Läkarbesök</c:timeTypeName><c:timeTypeId>TT-LAK</c:timeTypeId>` +
      `</r:ListOfTimeTypes></r:GetAllTimeTypesResponse>`,
  );

/** Canned answers by the path asked for. */
const answers: Record<string, { status: number; body: string; delayMs?: number }> = {
  '/valid': { status: 200, body: timeTypes(NS.schedulingCore) },
  '/wrong-namespace': { status: 200, body: timeTypes('urn:wrong') },
  '/fault': {
    status: 500,
    body: envelope(
      `<s:Fault><faultcode>s:Client</faultcode><faultstring>no such unit</faultstring></s:Fault>`,
    ),
  },
  '/slow': { status: 200, body: timeTypes(NS.schedulingCore), delayMs: 500 },
};

describe('the SOAP client', () => {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let base = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const answer = answers[req.url ?? ''] ?? { status: 404, body: '' };
      setTimeout(() => {
        res.writeHead(answer.status, { 'Content-Type': 'text/xml; charset=UTF-8' });
        res.end(answer.body);
      }, answer.delayMs ?? 0);
    });
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = {
    healthcare_facility: 'SE2321000016-1hz5',
    careTypeIDs: [],
    subject_of_care: '191212121212',
  };
  const clientFor = (path: string, timeoutMs?: number) =>
    createSoapClient({
      baseUrl: base,
      endpoints: { GetAllTimeTypes: base + path },
      ...(timeoutMs ? { timeoutMs } : {}),
    });

  it('sends the RIV headers, the codec-encoded body and the quoted SOAPAction, and decodes a valid answer', async () => {
    const exchange = await clientFor('/valid').call(GetAllTimeTypes, request, {
      logicalAddress: 'SE2321000016-1hz5',
      actor: { actorId: '191212121212', actorType: 'subject_of_care' },
    });
    const sent = received.at(-1)!;
    assert.equal(sent.headers['soapaction'], `"${GetAllTimeTypes.soapAction}"`);
    assert.equal(sent.body, exchange.requestXml);
    const header = parseXml(sent.body).children[0]!;
    assert.deepEqual(
      header.children.map((c) => `{${c.ns}}${c.local}`),
      [`{${NS.registry}}LogicalAddress`, `{${NS.headers}}Actor`],
    );
    assert.equal(exchange.status, 200);
    assert.deepEqual(exchange.schemaErrors, []);
    assert.deepEqual(exchange.response, {
      ListOfTimeTypes: [{ timeTypeName: 'Läkarbesök', timeTypeId: 'TT-LAK' }],
    });
  });

  it('sends no SOAPAction when told so', async () => {
    await clientFor('/valid').call(GetAllTimeTypes, request, { soapAction: null });
    assert.equal(received.at(-1)!.headers['soapaction'], undefined);
  });

  it('reports an answer in the wrong namespace by schema errors and a decode error, and still reads it leniently', async () => {
    const exchange = await clientFor('/wrong-namespace').call(GetAllTimeTypes, request);
    assert.ok(exchange.schemaErrors.length > 0);
    assert.match(exchange.schemaErrors.join('\n'), /timeTypeName/);
    assert.equal(exchange.response, undefined);
    assert.match(exchange.decodeError!, /ListOfTimeTypes\/timeTypeName: is mandatory but missing/);
    assert.deepEqual(exchange.lenient?.ListOfTimeTypes, [
      { timeTypeName: 'Läkarbesök', timeTypeId: 'TT-LAK' },
    ]);
  });

  it('reads a SOAP Fault, whose shape passes the schema verdict', async () => {
    const exchange = await clientFor('/fault').call(GetAllTimeTypes, request);
    assert.equal(exchange.status, 500);
    assert.deepEqual(exchange.fault, { code: 's:Client', message: 'no such unit' });
    assert.deepEqual(exchange.schemaErrors, []);
    assert.equal(exchange.lenient, undefined);
  });

  it('turns a refused connection and a timeout into exchanges with status 0, not exceptions', async () => {
    const refused = await createSoapClient({ baseUrl: 'http://127.0.0.1:9' }).call(
      GetAllTimeTypes,
      request,
    );
    assert.equal(refused.status, 0);
    assert.match(refused.transportError!, /ECONNREFUSED/);
    const slow = await clientFor('/slow', 100).call(GetAllTimeTypes, request);
    assert.equal(slow.status, 0);
    assert.match(slow.transportError!, /no answer within 100 ms/);
  });
});
