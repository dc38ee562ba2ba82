import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { PingForConfiguration } from '../../src/contracts/monitoring.ts';
import { instantToTs } from '../../src/domain/local-time.ts';
import { assertFault, callSoap } from '../support/soap-client.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { PRODUCER_HSA_ID, startTestApp, type TestApp } from '../support/test-app.ts';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

const ping = (url: string, logicalAddress: string) =>
  callSoap(
    url,
    PingForConfiguration,
    { serviceContractNamespace: PingForConfiguration.responderNs, logicalAddress },
    { logicalAddress },
  );

/** TKB-G §3.7 and rivta-spec §1: the platform's liveness check. */
describe('PingForConfiguration', () => {
  let t: TestApp;
  const now = Date.now();
  before(async () => {
    t = await startTestApp({ now: () => now });
  });
  after(() => t.close());

  it('answers at the producer address with version, a 14-digit local pingDateTime and configuration', async () => {
    const answer = await ping(t.url, PRODUCER_HSA_ID);
    assert.equal(answer.status, 200);
    assert.match(answer.contentType ?? '', /^text\/xml; charset=UTF-8$/i);
    const r = answer.response!;
    assert.equal(r.version, version);
    assert.match(r.pingDateTime, /^\d{14}$/);
    assert.equal(r.pingDateTime, instantToTs(now));
    const config = new Map(r.configuration.map((c) => [c.name, c.value]));
    assert.equal(config.get('store'), 'sqlite');
    assert.equal(config.get('facilities'), '3');
  });

  it("answers at a facility's address and at the producer address in any letter case", async () => {
    for (const address of [FACILITY, FACILITY.toUpperCase(), PRODUCER_HSA_ID.toLowerCase()]) {
      const answer = await ping(t.url, address);
      assert.equal(answer.status, 200, `${address}: ${answer.fault?.message}`);
      assert.equal(answer.response!.version, version);
    }
  });

  it('refuses an address it does not serve with a Client fault', async () => {
    assertFault(await ping(t.url, 'SE2321000016-NONE'), 'Client', /LogicalAddress/);
  });

  it('fails with a Server fault when the store does not answer', async () => {
    const broken = await startTestApp();
    try {
      await broken.app.store.close();
      assertFault(await ping(broken.url, PRODUCER_HSA_ID), 'Server');
    } finally {
      await broken.close();
    }
  });
});
