import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  addressRefusal,
  assertDeliverableUrl,
  ForbiddenAddressError,
  guardedLookup,
  urlRefusal,
  type Resolver,
} from './address-guard.ts';

const strict = { allowLoopback: false };
const loopbackAllowed = { allowLoopback: true };

describe('webhook address guard', () => {
  it('refuses internal, link-local, metadata and reserved addresses whatever the allowance', () => {
    for (const address of [
      '169.254.169.254',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a00:1',
    ])
      for (const policy of [strict, loopbackAllowed])
        assert.match(String(addressRefusal(address, policy)), /internal or reserved/, address);
  });

  it('allows loopback only with WEBHOOK_ALLOW_LOOPBACK', () => {
    for (const address of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) {
      assert.match(String(addressRefusal(address, strict)), /loopback/, address);
      assert.equal(addressRefusal(address, loopbackAllowed), undefined, address);
    }
  });

  it('allows public addresses, but not for plain http', () => {
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']) {
      assert.equal(addressRefusal(address, strict), undefined, address);
      assert.match(String(addressRefusal(address, loopbackAllowed, true)), /plain http/);
    }
  });

  it('checks URLs when a subscription is made', () => {
    const refused = (url: string, policy = strict) => urlRefusal(new URL(url), policy);
    assert.equal(refused('https://hooks.example.se/tidbok'), undefined);
    assert.match(String(refused('http://169.254.169.254/')), /https/);
    assert.match(String(refused('http://169.254.169.254/', loopbackAllowed)), /internal/);
    assert.match(String(refused('https://10.0.0.1/')), /internal/);
    assert.match(String(refused('https://[fe80::1]/')), /internal/);
    assert.match(String(refused('http://127.0.0.1:9/')), /https/);
    assert.equal(refused('http://127.0.0.1:9/', loopbackAllowed), undefined);
    assert.match(String(refused('http://93.184.216.34/', loopbackAllowed)), /plain http/);
    assert.match(String(refused('ftp://example.se/')), /https/);
    assert.match(String(refused('https://user:pw@example.se/')), /credentials/);
  });

  it('throws before any request for an address written in the URL', () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/'])
      assert.throws(
        () => assertDeliverableUrl(new URL(url), loopbackAllowed),
        ForbiddenAddressError,
      );
  });

  it('refuses at connection time a name that resolves to loopback, without opening a socket', async () => {
    let connections = 0;
    const server = createServer((_req, res) => res.end('ok'));
    server.on('connection', () => (connections += 1));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const resolved: string[] = [];
    const toLoopback: Resolver = async (name) => {
      resolved.push(name);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const get = (policy: { allowLoopback: boolean }) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`http://receiver.test:${port}/`, {
          lookup: guardedLookup(policy, true, toLoopback),
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    try {
      await assert.rejects(get(strict), ForbiddenAddressError);
      assert.deepEqual(resolved, ['receiver.test'], 'the name was resolved when connecting');
      assert.equal(connections, 0, 'no socket reached the server');
      assert.equal(await get(loopbackAllowed), 200, 'allowed with the loopback allowance');
      assert.equal(connections, 1);
    } finally {
      server.close();
    }
  });

  it('refuses a name when any of its addresses is internal (rebinding with several answers)', async () => {
    const lookup = guardedLookup(strict, false, async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ]);
    const err = await new Promise<Error | null>((resolve) =>
      lookup('rebind.test', { all: true }, (e) => resolve(e)),
    );
    assert.ok(err instanceof ForbiddenAddressError);
    assert.match(err.message, /169\.254\.169\.254/);
  });
});
