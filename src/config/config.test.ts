import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_EI_LEASE_MS, loadConfig } from './config.ts';

describe('EI_LEASE_MS', () => {
  it('defaults to ten minutes', () => {
    assert.equal(loadConfig({}).eiLeaseMs, DEFAULT_EI_LEASE_MS);
    assert.equal(DEFAULT_EI_LEASE_MS, 600_000);
  });

  it('takes a shorter lease, so a crashed process’s Updates are resent sooner', () => {
    assert.equal(loadConfig({ EI_LEASE_MS: '3000', EI_TIMEOUT_MS: '2000' }).eiLeaseMs, 3000);
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
