import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlDocument, XmlElement, xmlRegisterInputProvider, XsdValidator } from 'libxml2-wasm';
import type { Interaction } from '../contracts/model.ts';
import { NS } from '../contracts/namespaces.ts';
import { PingForConfiguration } from '../contracts/monitoring.ts';
import { MakeBooking } from '../contracts/scheduling.ts';
import { encodeElement, prefixesFor } from '../xml/encode.ts';
import { serveContractDocument } from './contract-documents.ts';

const host = 'http://127.0.0.1:18080';

/** What a client fetching documents over HTTP sees: URL → body (200 only). */
const web = new Map<string, Uint8Array>();
const open = new Map<number, { data: Uint8Array; at: number }>();
let fds = 1;
xmlRegisterInputProvider({
  match: (url) => web.has(url),
  open: (url) => {
    const data = web.get(url);
    if (!data) return undefined;
    open.set(fds, { data, at: 0 });
    return fds++;
  },
  read: (fd, buf) => {
    const f = open.get(fd as number)!;
    const n = Math.min(buf.byteLength, f.data.byteLength - f.at);
    buf.set(f.data.subarray(f.at, f.at + n));
    f.at += n;
    return n;
  },
  close: (fd) => open.delete(fd as number),
});

function fetchDocument(interaction: Interaction, url: string): string {
  const parsed = new URL(url);
  const endpoint = `${parsed.origin}${parsed.pathname}`;
  assert.equal(endpoint, `${host}${interaction.path}`, `${url} points at another endpoint`);
  const served = serveContractDocument(interaction, parsed.searchParams, endpoint);
  assert.ok(served, `${url} was not answered`);
  assert.equal(served.status, 200, `${url} answered ${served.status}`);
  assert.equal(served.contentType, 'text/xml; charset=UTF-8');
  web.set(url, new TextEncoder().encode(served.body));
  return served.body;
}

/** Follows every schemaLocation from the WSDL, as a client generator does. */
function crawl(interaction: Interaction): { wsdl: string; fetched: string[] } {
  const wsdlUrl = `${host}${interaction.path}?wsdl`;
  const wsdl = fetchDocument(interaction, wsdlUrl);
  const fetched: string[] = [];
  const queue = [wsdl];
  while (queue.length > 0) {
    const body = queue.shift()!;
    for (const [, location] of body.matchAll(/schemaLocation="([^"]*)"/g)) {
      const url = location!.replace(/&amp;/g, '&');
      if (fetched.includes(url)) continue;
      fetched.push(url);
      queue.push(fetchDocument(interaction, url));
    }
  }
  return { wsdl, fetched };
}

/** The WSDL's embedded schema, compiled with every import resolved over "HTTP". */
function compileFromUrl(interaction: Interaction, wsdl: string): XsdValidator {
  const doc = XmlDocument.fromString(wsdl);
  const schema = doc.get('/wsdl:definitions/wsdl:types/xs:schema', {
    wsdl: NS.wsdl,
    xs: NS.xs,
  });
  assert.ok(schema instanceof XmlElement);
  // A client compiles the embedded schema on its own; its prefixes live on wsdl:definitions.
  schema.addNsDeclaration(NS.xs, 'xs');
  const schemaDoc = XmlDocument.fromString(schema.toString(), {
    url: `${host}${interaction.path}?wsdl`,
  });
  doc.dispose();
  return XsdValidator.fromDoc(schemaDoc);
}

function assertValidates(validator: XsdValidator, xml: string): void {
  const doc = XmlDocument.fromString(xml);
  try {
    validator.validate(doc);
  } finally {
    doc.dispose();
  }
}

describe('contract documents served from an endpoint', () => {
  it('give MakeBooking a WSDL whose schemas all resolve from the same URL', () => {
    const { wsdl, fetched } = crawl(MakeBooking);
    assert.match(
      wsdl,
      new RegExp(`<soap:address location="${host}/crm/scheduling/MakeBooking/1/rivtabp21"/>`),
    );
    assert.doesNotMatch(wsdl, /localhost:8080|\.\.\//);
    assert.deepEqual(fetched.sort(), [
      `${host}${MakeBooking.path}?xsd=core_components/crm_scheduling_1.1.xsd`,
      `${host}${MakeBooking.path}?xsd=core_components/crm_scheduling_1.1_ext.xsd`,
      `${host}${MakeBooking.path}?xsd=core_components/interoperability_headers_1.0.xsd`,
      `${host}${MakeBooking.path}?xsd=core_components/itintegration_registry_1.0.xsd`,
      `${host}${MakeBooking.path}?xsd=interactions/MakeBookingInteraction/MakeBookingResponder_1.1.xsd`,
    ]);
    const validator = compileFromUrl(MakeBooking, wsdl);
    const p = prefixesFor(MakeBooking.request, MakeBooking.response);
    assertValidates(
      validator,
      encodeElement(
        'MakeBooking',
        MakeBooking.responderNs,
        MakeBooking.request,
        {
          healthcare_facility_med: 'SE2321000016-1hz5',
          requestedTimeslot: {
            startTimeInclusive: '20261201093000',
            endTimeExclusive: '20261201094500',
            healthcare_facility: 'SE2321000016-1hz5',
            subject_of_care: '191212121212',
            isInvitation: false,
          },
          subject_of_care_info: { firstName: 'Tolvan', lastName: 'Tolvansson' },
        },
        p,
      ),
    );
    assertValidates(
      validator,
      encodeElement(
        'MakeBookingResponse',
        MakeBooking.responderNs,
        MakeBooking.response,
        {
          bookingId: 'b-1',
          resultCode: 'OK',
        },
        p,
      ),
    );
    assertValidates(
      validator,
      `<Actor xmlns="${NS.headers}"><actorId>191212121212</actorId><actorType>subject_of_care</actorType></Actor>`,
    );
    assert.throws(() =>
      assertValidates(validator, `<MakeBookingResponse xmlns="${MakeBooking.responderNs}"/>`),
    );
    assertValidates(validator, `<LogicalAddress xmlns="${NS.registry}">SE1</LogicalAddress>`);
    validator.dispose();
  });

  it('give PingForConfiguration a WSDL whose schemas all resolve from the same URL', () => {
    const { wsdl, fetched } = crawl(PingForConfiguration);
    assert.equal(fetched.length, 3);
    const validator = compileFromUrl(PingForConfiguration, wsdl);
    const { request, response, responderNs } = PingForConfiguration;
    const p = prefixesFor(request, response);
    assertValidates(
      validator,
      encodeElement(
        'PingForConfiguration',
        responderNs,
        request,
        {
          serviceContractNamespace: 'urn:riv:crm:scheduling:MakeBookingResponder:1',
          logicalAddress: 'SE2321000016-1hz5',
        },
        p,
      ),
    );
    assertValidates(
      validator,
      encodeElement(
        'PingForConfigurationResponse',
        responderNs,
        response,
        {
          version: '0.1.0',
          pingDateTime: '20261201093000',
          configuration: [{ name: 'store', value: 'sqlite' }],
        },
        p,
      ),
    );
    validator.dispose();
  });

  it('answer ?WSDL in capitals too', () => {
    const served = serveContractDocument(MakeBooking, new URLSearchParams('WSDL'), host);
    assert.equal(served?.status, 200);
    assert.match(served.body, /<wsdl:definitions /);
  });

  it('leave other queries to the SOAP endpoint', () => {
    assert.equal(serveContractDocument(MakeBooking, new URLSearchParams(''), host), undefined);
    assert.equal(serveContractDocument(MakeBooking, new URLSearchParams('x=1'), host), undefined);
  });

  it('answer 404 for unknown or escaping schema paths without touching the file system', () => {
    for (const path of [
      'nope.xsd',
      '../../wsdl/crm_scheduling_1.1/MakeBookingInteraction/MakeBookingInteraction_1.1_RIVTABP21.wsdl',
      '../../../package.json',
      '/etc/passwd',
      'core_components/../core_components/crm_scheduling_1.1.xsd',
      '',
    ]) {
      const served = serveContractDocument(MakeBooking, new URLSearchParams({ xsd: path }), host);
      assert.equal(served?.status, 404, path);
      assert.equal(served.contentType, 'text/plain; charset=UTF-8');
    }
  });

  it('escape the endpoint URL where it is written into an attribute', () => {
    const served = serveContractDocument(MakeBooking, new URLSearchParams('wsdl'), `${host}/a"b&c`);
    assert.match(served!.body, /location="http:\/\/127\.0\.0\.1:18080\/a&quot;b&amp;c"/);
  });
});
