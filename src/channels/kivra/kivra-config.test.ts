import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../config/settings.ts';
import { readKivraConfig } from './kivra-config.ts';
import { kivra } from './index.ts';

const base = {
  KIVRA_URL: 'https://sender.sandbox-api.kivra.com',
  KIVRA_CLIENT_ID: 'client',
  KIVRA_CLIENT_SECRET: 's3cr3t-value',
  KIVRA_TENANT_KEY: 'tenant123',
};

describe('Kivra settings', () => {
  it('is in demo mode without KIVRA_URL only when nothing real is configured', () => {
    const demo = kivra.readConfig({}, { producerHsaId: 'SE2321000016-TIDB' });
    assert.notEqual(demo, 'off');
    assert.equal(
      demo !== 'off' ? demo.url : 'off',
      undefined,
      'no target until npm start runs the simulator',
    );
    for (const env of [
      { NODE_ENV: 'production' },
      { TIDBOK_TLS_CERT: '/etc/tidbok/cert.pem' },
      { EI_URL: 'https://ei.example.se/update' },
    ])
      assert.equal(kivra.readConfig(env, { producerHsaId: 'SE2321000016-TIDB' }), 'off');
    const configured = kivra.readConfig(base, { producerHsaId: 'SE2321000016-TIDB' });
    assert.equal(configured !== 'off' ? configured.url : 'off', base.KIVRA_URL);
  });

  it('is off without KIVRA_URL', () => {
    assert.equal(readKivraConfig({}), undefined);
    assert.equal(readKivraConfig({ KIVRA_URL: ' ', KIVRA_CLIENT_ID: 'x' }), undefined);
  });

  it('reads every setting, with defaults', () => {
    assert.deepEqual(readKivraConfig(base), {
      url: base.KIVRA_URL,
      clientId: 'client',
      clientSecret: 's3cr3t-value',
      tenantKey: 'tenant123',
      timeoutMs: 10_000,
      leaseMs: 600_000,
    });
    const full = readKivraConfig({
      ...base,
      KIVRA_FACILITIES: 'SE2321000016-ABCD, SE2321000016-WXYZ',
      KIVRA_INFO_URL: 'https://vard.example.se/kivra',
      KIVRA_TIMEOUT_MS: '5000',
    });
    assert.deepEqual(full?.facilities, ['SE2321000016-ABCD', 'SE2321000016-WXYZ']);
    assert.equal(full?.infoUrl, 'https://vard.example.se/kivra');
    assert.equal(full?.timeoutMs, 5_000);
  });

  it('names the bad setting and never shows the secret', () => {
    const refused = (env: Record<string, string>, message: RegExp) =>
      assert.throws(
        () => readKivraConfig(env),
        (err: unknown) =>
          err instanceof ConfigError &&
          message.test(err.message) &&
          !err.message.includes('s3cr3t'),
      );
    refused(
      { ...base, KIVRA_CLIENT_SECRET: '' },
      /^KIVRA_CLIENT_SECRET must be set when KIVRA_URL is set$/,
    );
    refused({ ...base, KIVRA_TENANT_KEY: 'a/b' }, /^KIVRA_TENANT_KEY must be a tenant key/);
    refused({ ...base, KIVRA_URL: 'ftp://x' }, /^KIVRA_URL must be an http\(s\) URL$/);
    refused({ ...base, KIVRA_INFO_URL: 'http://x.se' }, /^KIVRA_INFO_URL must be an https URL$/);
    refused({ ...base, KIVRA_FACILITIES: 'a b' }, /^KIVRA_FACILITIES must be HSA-ids/);
    refused({ ...base, KIVRA_TIMEOUT_MS: '12s' }, /^KIVRA_TIMEOUT_MS /);
    refused(
      { ...base, KIVRA_TIMEOUT_MS: '5000', KIVRA_LEASE_MS: '15000' },
      /^KIVRA_LEASE_MS \(15000\) must be longer than three times KIVRA_TIMEOUT_MS \(5000\)/,
    );
  });

  it('takes http only outside production', () => {
    assert.equal(
      readKivraConfig({ ...base, KIVRA_URL: 'http://127.0.0.1:9000' })?.url,
      'http://127.0.0.1:9000',
    );
    assert.throws(
      () =>
        readKivraConfig({ ...base, KIVRA_URL: 'http://127.0.0.1:9000', NODE_ENV: 'production' }),
      /^ConfigError: KIVRA_URL must be an https URL \(NODE_ENV=production\)$/,
    );
    assert.ok(readKivraConfig({ ...base, NODE_ENV: 'production' }));
  });
});
