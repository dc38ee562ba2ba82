import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { GetAllTimeTypes } from '../../src/contracts/scheduling.ts';
import { assertFault, parseAnswer, requestEnvelope } from '../support/soap-client.ts';
import { FACILITY, PATIENT } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTestPki, type KeyPair, type TestPki } from '../support/test-pki.ts';
import { httpsPost } from '../support/https-post.ts';
import { captureLogs, type CapturedLogs } from '../support/log-capture.ts';

const VP = 'SE2321000016-VP01';
const request = requestEnvelope(
  GetAllTimeTypes,
  { healthcare_facility: FACILITY, subject_of_care: PATIENT, careTypeIDs: [] },
  { logicalAddress: FACILITY },
);

/** How a client sees a refused handshake: a TLS alert, or the connection reset during it. */
const TLS_REFUSAL = (err: NodeJS.ErrnoException) => /^(ERR_SSL_|ECONNRESET$)/.test(err.code ?? '');

describe('mutual TLS: only the allowed consumers get in', () => {
  let pki: TestPki;
  let otherPki: TestPki;
  let t: TestApp;
  let logs: CapturedLogs;
  let vp: KeyPair;

  before(async () => {
    pki = createTestPki();
    otherPki = createTestPki('another CA');
    vp = pki.client(`/serialNumber=${VP}/CN=vp`);
    logs = captureLogs();
    t = await startTestApp({
      logger: logs.logger,
      tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert },
      // Lower case here: HSA-ids compare case-insensitively (TKB-G §3.8).
      access: { allowedConsumers: [VP.toLowerCase()] },
    });
  });
  after(async () => {
    await t.close();
    pki.remove();
    otherPki.remove();
  });

  const url = () => t.url + GetAllTimeTypes.path;
  const soapLines = () => logs.entries().filter((e) => String(e['msg']).startsWith('soap request'));

  it('serves HTTPS', () => assert.match(t.url, /^https:\/\/127\.0\.0\.1:\d+$/));

  it('refuses the handshake of a client without a certificate; no request is handled', async () => {
    const before = soapLines().length;
    await assert.rejects(httpsPost(url(), request, { ca: pki.ca.cert }), TLS_REFUSAL);
    assert.equal(soapLines().length, before);
  });

  it('refuses the handshake of a certificate from another CA, even with an allowed HSA-id', async () => {
    const before = soapLines().length;
    const stranger = otherPki.client(`/serialNumber=${VP}/CN=vp`);
    await assert.rejects(
      httpsPost(url(), request, { ca: pki.ca.cert, cert: stranger.cert, key: stranger.key }),
      TLS_REFUSAL,
    );
    assert.equal(soapLines().length, before);
  });

  it('refuses TLS older than 1.2', async () => {
    await assert.rejects(
      httpsPost(url(), request, {
        ca: pki.ca.cert,
        cert: vp.cert,
        key: vp.key,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        // The client's own OpenSSL would refuse TLS 1.1 first at its default security level.
        ciphers: 'DEFAULT@SECLEVEL=0',
      }),
      /alert protocol version/,
    );
  });

  it('serves an allowed certificate and logs its HSA-id as the consumer', async () => {
    const raw = await httpsPost(
      url(),
      request,
      { ca: pki.ca.cert, cert: vp.cert, key: vp.key },
      { 'x-skltp-correlation-id': 'mtls-ok', 'x-rivta-original-serviceconsumer-hsaid': 'MVK' },
    );
    const answer = parseAnswer(raw.status, raw.contentType, raw.text);
    assert.equal(answer.status, 200);
    assert.equal(answer.fault, undefined);
    assert.equal(answer.body.local, 'GetAllTimeTypesResponse');
    const line = soapLines().find((e) => e['correlationId'] === 'mtls-ok');
    assert.equal(line?.['consumerHsaId'], VP);
    assert.equal(line?.['originalConsumerHsaId'], 'MVK');
  });

  it('answers a valid certificate whose HSA-id is not allowed with a Client fault and a warning', async () => {
    const intruder = pki.client('/serialNumber=SE2321000016-EVIL/CN=someone else');
    const raw = await httpsPost(
      url(),
      request,
      { ca: pki.ca.cert, cert: intruder.cert, key: intruder.key },
      { 'x-skltp-correlation-id': 'mtls-refused' },
    );
    assertFault(
      parseAnswer(raw.status, raw.contentType, raw.text),
      'Client',
      /consumer 'SE2321000016-EVIL' is not allowed/,
    );
    const line = soapLines().find((e) => e['correlationId'] === 'mtls-refused');
    assert.equal(line?.['level'], 40, 'logged as a warning');
    assert.equal(line?.['consumerHsaId'], 'SE2321000016-EVIL');
  });

  it('answers a certificate without an HSA-id with a Client fault', async () => {
    const anonymous = pki.client('/CN=no serial number');
    const raw = await httpsPost(url(), request, {
      ca: pki.ca.cert,
      cert: anonymous.cert,
      key: anonymous.key,
    });
    assertFault(parseAnswer(raw.status, raw.contentType, raw.text), 'Client', /carries no HSA-id/);
  });
});

describe('the original consumer header can be restricted too', () => {
  let pki: TestPki;
  let t: TestApp;
  let vp: KeyPair;
  before(async () => {
    pki = createTestPki();
    vp = pki.client(`/serialNumber=${VP}/CN=vp`);
    t = await startTestApp({
      tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert },
      access: { allowedConsumers: '*', allowedOriginalConsumers: ['SE2321000016-MVK1'] },
    });
  });
  after(async () => {
    await t.close();
    pki.remove();
  });

  const call = async (headers: Record<string, string>) => {
    const raw = await httpsPost(
      t.url + GetAllTimeTypes.path,
      request,
      { ca: pki.ca.cert, cert: vp.cert, key: vp.key },
      headers,
    );
    return parseAnswer(raw.status, raw.contentType, raw.text);
  };

  it('serves an allowed original consumer', async () => {
    const answer = await call({ 'x-rivta-original-serviceconsumer-hsaid': 'se2321000016-mvk1' });
    assert.equal(answer.status, 200);
  });

  it('refuses another original consumer, and a request without the header', async () => {
    assertFault(
      await call({ 'x-rivta-original-serviceconsumer-hsaid': 'SE2321000016-OTHR' }),
      'Client',
      /original service consumer 'SE2321000016-OTHR' is not allowed/,
    );
    assertFault(await call({}), 'Client', /header is missing/);
  });
});

/** A GET over HTTPS with a client certificate. */
function httpsGet(
  url: string,
  tls: { ca: string | Buffer; cert: string | Buffer; key: string | Buffer },
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    httpsRequest(url, { agent: false, ...tls, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => (text += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text })).on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('every path on the mutual-TLS listener checks the caller (issue 19 item 7)', () => {
  const TOKEN = 'mtls-admin-token-0123456789';
  let pki: TestPki;
  let t: TestApp;
  let logs: CapturedLogs;
  before(async () => {
    pki = createTestPki();
    logs = captureLogs();
    t = await startTestApp({
      logger: logs.logger,
      tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert },
      access: { allowedConsumers: [VP] },
      adminToken: TOKEN,
      adminListener: 'soap',
    });
  });
  after(async () => {
    await t.close();
    pki.remove();
  });

  const paths = ['/admin/outbox', '/metrics', '/health/ready', `${GetAllTimeTypes.path}?wsdl`];
  const get = (path: string, who: KeyPair) =>
    httpsGet(
      t.url + path,
      { ca: pki.ca.cert, cert: who.cert, key: who.key },
      { Authorization: `Bearer ${TOKEN}` },
    );

  it('serves the allowed consumer everywhere', async () => {
    const vp = pki.client(`/serialNumber=${VP}/CN=vp`);
    for (const path of [...paths, '/health/live'])
      assert.equal((await get(path, vp)).status, 200, path);
  });

  for (const [who, subject] of [
    ['a certificate with a HSA-id not allowed', '/serialNumber=SE2321000016-EVIL/CN=someone else'],
    ['a certificate without a HSA-id', '/CN=no serial number'],
  ] as const)
    it(`refuses ${who} on admin, metrics, readiness and ?wsdl, and logs each refusal`, async () => {
      const stranger = pki.client(subject);
      const refusals = () =>
        logs.entries().filter((e) => e['msg'] === 'http request refused: caller not allowed');
      const before = refusals().length;
      for (const path of paths) {
        const answer = await get(path, stranger);
        assert.equal(answer.status, 403, `${path}: ${answer.text}`);
        assert.doesNotMatch(answer.text, /pending|tidbok_|"ready"|definitions/);
      }
      const logged = refusals().slice(before);
      assert.deepEqual(
        logged.map((e) => e['path']),
        paths.map((p) => p.split('?')[0]),
      );
      assert.ok(logged.every((e) => e['level'] === 40));
      // Liveness stays open, for load balancers that probe without a certificate of their own.
      assert.equal((await get('/health/live', stranger)).status, 200);
    });
});
