import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { configOf } from '../channels/channel-module.ts';
import { DEFAULT_EI_LEASE_MS } from '../channels/engagement-index/ei-config.ts';
import { engagementIndex } from '../channels/engagement-index/index.ts';
import { CHANNELS } from '../channels/registry.ts';
import { ConfigError, SETTINGS, loadConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidbok-config-'));
const file = (name: string, text = 'x') => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const tls = {
  TIDBOK_TLS_CERT: file('cert.pem'),
  TIDBOK_TLS_KEY: file('key.pem'),
  TIDBOK_TLS_CLIENT_CA: file('ca.pem'),
};

function refused(env: Record<string, string>, setting: string) {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof ConfigError && err.message.includes(setting),
  );
}

after(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig: the listener', () => {
  it('serves plain HTTP as a demo when nothing is configured outside production', () => {
    assert.deepEqual(loadConfig({}).listener, {
      kind: 'plain',
      reason: 'demo',
      allowedOriginalConsumers: undefined,
    });
  });

  it('refuses to start in production without TLS files, unless plain HTTP is asked for', () => {
    refused({ NODE_ENV: 'production' }, 'TIDBOK_TLS_CERT');
    const listener = loadConfig({ NODE_ENV: 'production', TIDBOK_PLAIN_HTTP: 'true' }).listener;
    assert.equal(listener.kind, 'plain');
    assert.equal(listener.kind === 'plain' && listener.reason, 'TIDBOK_PLAIN_HTTP');
  });

  it('serves mutual TLS with the allowed consumers, trimmed', () => {
    const listener = loadConfig({
      ...tls,
      TIDBOK_ALLOWED_CONSUMERS: 'SE2321000016-VP01, SE2321000016-VP02',
      TIDBOK_ALLOWED_ORIGINAL_CONSUMERS: 'SE2321000016-MVK1',
    }).listener;
    assert.deepEqual(listener, {
      kind: 'tls',
      files: {
        cert: tls.TIDBOK_TLS_CERT,
        key: tls.TIDBOK_TLS_KEY,
        clientCa: tls.TIDBOK_TLS_CLIENT_CA,
      },
      allowedConsumers: ['SE2321000016-VP01', 'SE2321000016-VP02'],
      allowedOriginalConsumers: ['SE2321000016-MVK1'],
    });
  });

  it('names the setting that is wrong', () => {
    refused({ ...tls }, 'TIDBOK_ALLOWED_CONSUMERS');
    refused(
      { TIDBOK_TLS_CERT: tls.TIDBOK_TLS_CERT, TIDBOK_ALLOWED_CONSUMERS: '*' },
      'TIDBOK_TLS_KEY',
    );
    refused(
      { ...tls, TIDBOK_ALLOWED_CONSUMERS: '*', TIDBOK_TLS_KEY: '/nonexistent.pem' },
      'TIDBOK_TLS_KEY',
    );
    refused(
      { ...tls, TIDBOK_ALLOWED_CONSUMERS: '*', TIDBOK_PLAIN_HTTP: 'true' },
      'TIDBOK_PLAIN_HTTP',
    );
    refused({ TIDBOK_ALLOWED_CONSUMERS: 'SE2321000016-VP01' }, 'TIDBOK_ALLOWED_CONSUMERS');
    refused(
      { TIDBOK_ALLOWED_ORIGINAL_CONSUMERS: 'not an id!' },
      'TIDBOK_ALLOWED_ORIGINAL_CONSUMERS',
    );
    refused({ TIDBOK_PLAIN_HTTP: 'sometimes' }, 'TIDBOK_PLAIN_HTTP');
    refused({ TIDBOK_SHUTDOWN_TIMEOUT_MS: '-1' }, 'TIDBOK_SHUTDOWN_TIMEOUT_MS');
  });

  it('takes the shutdown bound from TIDBOK_SHUTDOWN_TIMEOUT_MS, 20 s by default', () => {
    assert.equal(loadConfig({}).shutdownTimeoutMs, 20_000);
    assert.equal(loadConfig({ TIDBOK_SHUTDOWN_TIMEOUT_MS: '5000' }).shutdownTimeoutMs, 5_000);
  });
});

describe('loadConfig: TIDBOK_CONFIG_FILE', () => {
  it('reads settings from the file, and the environment wins over it', () => {
    const path = file('config.json', JSON.stringify({ PORT: 9090, LOG_LEVEL: 'debug' }));
    const config = loadConfig({ TIDBOK_CONFIG_FILE: path, LOG_LEVEL: 'warn' });
    assert.equal(config.port, 9090);
    assert.equal(config.logLevel, 'warn');
  });

  it('names an unknown setting, a bad value and a file that is not JSON', () => {
    refused({ TIDBOK_CONFIG_FILE: file('unknown.json', '{"PROT": 1}') }, 'PROT');
    refused({ TIDBOK_CONFIG_FILE: file('bad.json', '{"PORT": 99999}') }, 'PORT');
    refused({ TIDBOK_CONFIG_FILE: file('broken.json', '{') }, 'TIDBOK_CONFIG_FILE');
  });
});

describe('the channels’ settings', () => {
  it('lists every setting each channel module reads, so the config file may hold them', () => {
    for (const channel of CHANNELS)
      for (const name of channel.settings) assert.ok(SETTINGS.includes(name), name);
    const path = file(
      'ei.json',
      '{"EI_URL": "http://ei.example:8080/update", "EI_SOURCE_SYSTEM": "SE1", "EI_DATA_CONTROLLER": "SE2"}',
    );
    const ei = configOf(loadConfig({ TIDBOK_CONFIG_FILE: path }).channels, engagementIndex);
    assert.equal(ei?.url, 'http://ei.example:8080/update');
    assert.equal(ei?.dataController, 'SE2');
  });

  it('hands the lease to the channel the dispatcher drives', () => {
    const [channel] = loadConfig({
      EI_URL: 'http://127.0.0.1:9/update',
      EI_SOURCE_SYSTEM: 'SE1',
      EI_DATA_CONTROLLER: 'SE2',
      EI_LEASE_MS: '4000',
      EI_TIMEOUT_MS: '2000',
    }).channels;
    const delivery = channel?.createChannel();
    assert.equal(delivery?.leaseMs, 4000);
    delivery?.close?.();
  });
});

/** The EI lease as configured by `env`. */
const eiLease = (env: Record<string, string>) =>
  configOf(loadConfig(env).channels, engagementIndex)?.leaseMs;

describe('EI_LEASE_MS', () => {
  it('defaults to ten minutes', () => {
    assert.equal(eiLease({}), DEFAULT_EI_LEASE_MS);
    assert.equal(DEFAULT_EI_LEASE_MS, 600_000);
  });

  it('takes a shorter lease, so a crashed process’s Updates are resent sooner', () => {
    assert.equal(eiLease({ EI_LEASE_MS: '3000', EI_TIMEOUT_MS: '2000' }), 3000);
  });

  it('refuses a lease no longer than the EI call timeout, naming both settings', () => {
    assert.throws(
      () => loadConfig({ EI_LEASE_MS: '2000', EI_TIMEOUT_MS: '2000' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /EI_LEASE_MS/.test(err.message) &&
        /EI_TIMEOUT_MS/.test(err.message),
    );
  });

  it('refuses a value that is not a whole number of milliseconds', () => {
    assert.throws(() => loadConfig({ EI_LEASE_MS: '5s' }), ConfigError);
  });
});

describe('loadConfig: worker processes (TIDBOK_WORKERS)', () => {
  const ei = {
    EI_URL: 'http://ei.example/update',
    EI_SOURCE_SYSTEM: 'SE2321000016-TIDBOK',
    EI_DATA_CONTROLLER: 'SE2321000016-ABCD',
  };

  it('runs one process unless told otherwise, and a number or one per core when told', () => {
    assert.equal(loadConfig({}).workers, 1);
    assert.equal(loadConfig({ ...ei, TIDBOK_WORKERS: '3' }).workers, 3);
    assert.ok(loadConfig({ ...ei, TIDBOK_WORKERS: 'auto' }).workers >= 1);
    refused({ TIDBOK_WORKERS: '0' }, 'TIDBOK_WORKERS');
    refused({ TIDBOK_WORKERS: 'two' }, 'TIDBOK_WORKERS');
  });

  it('refuses several workers on an in-memory store, which would give each its own calendar', () => {
    refused({ ...ei, TIDBOK_WORKERS: '2', DATABASE_URL: 'sqlite::memory:' }, 'in-memory');
    refused({ ...ei, TIDBOK_WORKERS: '2', TIDBOK_DB: ':memory:' }, 'in-memory');
  });

  it('refuses several workers where each would start demo simulators of its own', () => {
    assert.throws(
      () => loadConfig({ TIDBOK_WORKERS: '2' }, { server: true }),
      (err: unknown) => err instanceof ConfigError && err.message.includes('EI_URL'),
    );
  });

  it('refuses several workers with the admin API on the SOAP listener (console sign-ins live in one worker)', () => {
    refused(
      { ...ei, TIDBOK_WORKERS: '2', TIDBOK_ADMIN_ON_SOAP_LISTENER: 'true' },
      'TIDBOK_ADMIN_ON_SOAP_LISTENER',
    );
  });

  it('reads a forked worker’s index and shared demo token from what the primary set', () => {
    assert.equal(loadConfig({}).worker, undefined);
    assert.deepEqual(
      loadConfig({ TIDBOK_WORKER_INDEX: '1', TIDBOK_WORKER_DEMO_ADMIN_TOKEN: 'a'.repeat(48) })
        .worker,
      { index: 1, demoAdminToken: 'a'.repeat(48) },
    );
  });
});
