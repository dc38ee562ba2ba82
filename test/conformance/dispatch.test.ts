import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NS } from '../../src/contracts/namespaces.ts';
import {
  GetAllTimeTypes,
  GetSubjectOfCareSchedule,
  MakeBooking,
  schedulingInteractions,
} from '../../src/contracts/scheduling.ts';
import { PingForConfiguration } from '../../src/contracts/monitoring.ts';
import { decodeComplex } from '../../src/xml/decode.ts';
import { parseXml, type XmlElement } from '../../src/xml/parse.ts';
import { assertFault, postSoap, requestEnvelope, wrapRequest } from '../support/soap-client.ts';
import { FACILITY, PATIENT } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { asPatient } from './consumer.ts';

/** rivta-spec §6 must-have 2: the body root QName picks the operation, whatever SOAPAction says. */
describe('dispatch on the body root element', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const timeTypesEnvelope = () =>
    requestEnvelope(
      GetAllTimeTypes,
      { healthcare_facility: FACILITY, careTypeIDs: [], subject_of_care: PATIENT },
      asPatient(),
    );

  const timeTypeIds = (body: XmlElement) =>
    decodeComplex(GetAllTimeTypes.response, body)
      .ListOfTimeTypes.map((x) => x.timeTypeId)
      .sort();

  it('answers the same whether SOAPAction is missing, empty, quoted, unquoted or names another operation', async () => {
    const variants: Record<string, Record<string, string>> = {
      missing: {},
      empty: { SOAPAction: '' },
      'empty quoted': { SOAPAction: '""' },
      quoted: { SOAPAction: `"${GetAllTimeTypes.soapAction}"` },
      unquoted: { SOAPAction: GetAllTimeTypes.soapAction },
      'another operation': { SOAPAction: `"${MakeBooking.soapAction}"` },
      'not a URI at all': { SOAPAction: 'please book' },
    };
    for (const [name, headers] of Object.entries(variants)) {
      const answer = await postSoap(t.url + GetAllTimeTypes.path, timeTypesEnvelope(), headers);
      assert.equal(answer.status, 200, `SOAPAction ${name}: ${answer.text.slice(0, 200)}`);
      assert.match(answer.contentType ?? '', /^text\/xml; charset=UTF-8$/i);
      assert.equal(answer.body.ns, GetAllTimeTypes.responderNs, `SOAPAction ${name}`);
      assert.equal(answer.body.local, 'GetAllTimeTypesResponse', `SOAPAction ${name}`);
      assert.deepEqual(timeTypeIds(answer.body), ['TT-LAK', 'TT-PROV'], `SOAPAction ${name}`);
    }
  });

  it("refuses one operation's request posted to another operation's address with a Client fault", async () => {
    const answer = await postSoap(t.url + GetSubjectOfCareSchedule.path, timeTypesEnvelope(), {
      SOAPAction: `"${GetSubjectOfCareSchedule.soapAction}"`,
    });
    assertFault(answer, 'Client', /GetAllTimeTypes is not served at this address/);
    assert.ok(
      answer.fault!.message.includes(GetAllTimeTypes.path),
      'the fault names the right address',
    );
  });

  it('refuses an unknown body root element with a Client fault, also when its name is a known one in another namespace', async () => {
    const unknown = wrapRequest('<x:BookEverything xmlns:x="urn:example:nothing"/>', asPatient());
    assertFault(
      await postSoap(t.url + GetAllTimeTypes.path, unknown),
      'Client',
      /unknown request element/,
    );
    const oldVersion = timeTypesEnvelope().replaceAll(
      GetAllTimeTypes.responderNs,
      'urn:riv:crm:scheduling:GetAllTimeTypesResponder:2',
    );
    assertFault(
      await postSoap(t.url + GetAllTimeTypes.path, oldVersion),
      'Client',
      /unknown request element/,
    );
  });

  it('refuses a request sent to an address no operation serves with HTTP 404 and changes nothing', async () => {
    const before = await t.app.store.stats();
    const response = await fetch(`${t.url}/crm/scheduling/BookEverything/1/rivtabp21`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=UTF-8' },
      body: timeTypesEnvelope(),
    });
    assert.equal(response.status, 404);
    await response.text();
    assert.deepEqual(await t.app.store.stats(), before);
  });

  it('serves on every path a WSDL whose soap:address is the URL it was fetched from', async () => {
    const interactions = [...schedulingInteractions, PingForConfiguration];
    assert.equal(
      interactions.length,
      t.app.operations.length,
      'every served operation is covered here',
    );
    for (const interaction of interactions) {
      const endpoint = t.url + interaction.path;
      const response = await fetch(`${endpoint}?wsdl`);
      assert.equal(response.status, 200, interaction.name);
      assert.match(response.headers.get('content-type') ?? '', /^text\/xml/i);
      const wsdl = parseXml(await response.text());
      assert.equal(wsdl.ns, NS.wsdl, `${interaction.name}: a WSDL 1.1 document`);
      assert.equal(wsdl.attributes.get('targetNamespace'), interaction.wsdlNs);
      const addresses: string[] = [];
      const walk = (e: XmlElement) => {
        if (e.ns === NS.wsdlSoap && e.local === 'address')
          addresses.push(e.attributes.get('location') ?? '');
        e.children.forEach(walk);
      };
      walk(wsdl);
      assert.deepEqual(addresses, [endpoint], `${interaction.name}: soap:address`);
      const operations: string[] = [];
      const findOps = (e: XmlElement) => {
        if (e.ns === NS.wsdlSoap && e.local === 'operation')
          operations.push(e.attributes.get('soapAction') ?? '');
        e.children.forEach(findOps);
      };
      findOps(wsdl);
      assert.deepEqual(operations, [interaction.soapAction], `${interaction.name}: soapAction`);
    }
  });

  it('writes the soap:address a client behind a proxy used (X-Forwarded-Proto and -Host)', async () => {
    const response = await fetch(`${t.url}${MakeBooking.path}?wsdl`, {
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'tidbok.example.se' },
    });
    const text = await response.text();
    assert.ok(
      text.includes(`location="https://tidbok.example.se${MakeBooking.path}"`),
      'soap:address follows the forwarded host and scheme',
    );
  });
});
