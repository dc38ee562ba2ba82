import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../config/settings.ts';
import { readFhirPortalConfig } from './fhir-portal-config.ts';
import { BSN_SYSTEM, DEFAULT_ACCEPTED_SYSTEMS } from './patient-identifier.ts';

const on = {
  SPREEKUUR_URL: 'https://api-samen.test.spreekuur.nl/fhir/r4/',
  SPREEKUUR_TOKEN_URL: 'https://auth.example.nl/oauth/token',
  SPREEKUUR_CLIENT_ID: 'tidbok',
  SPREEKUUR_CLIENT_SECRET: 's3cret-value-never-shown',
  SPREEKUUR_ORGANIZATION: '01234567',
};

function refusal(env: Record<string, string>): string {
  try {
    readFhirPortalConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.doesNotMatch(err.message, /s3cret/);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('readFhirPortalConfig', () => {
  it('is off without SPREEKUUR_URL, with the default selection', () => {
    assert.deepEqual(readFhirPortalConfig({}), {
      facilities: undefined,
      acceptedSystems: DEFAULT_ACCEPTED_SYSTEMS,
      connection: undefined,
    });
  });

  it('reads a complete configuration with its defaults', () => {
    assert.deepEqual(readFhirPortalConfig(on).connection, {
      baseUrl: 'https://api-samen.test.spreekuur.nl/fhir/r4',
      tokenUrl: 'https://auth.example.nl/oauth/token',
      clientId: 'tidbok',
      clientSecret: 's3cret-value-never-shown',
      organization: '01234567',
      organizationHeader: 'X-Organization-Identifier',
      timeoutMs: 10_000,
      batchSize: 8,
    });
  });

  it('takes the renamed header, facilities and identifier systems', () => {
    const config = readFhirPortalConfig({
      ...on,
      SPREEKUUR_ORGANIZATION_HEADER: 'organisation_agb',
      SPREEKUUR_FACILITIES: 'SE2321000016-1hz5, SE2321000016-7p3k',
      SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS: BSN_SYSTEM,
    });
    assert.equal(config.connection?.organizationHeader, 'organisation_agb');
    assert.deepEqual(config.facilities, ['SE2321000016-1hz5', 'SE2321000016-7p3k']);
    assert.deepEqual(config.acceptedSystems, [BSN_SYSTEM]);
  });

  it('names what is missing or wrong, never quoting the secret', () => {
    const noSecret = { ...on, SPREEKUUR_CLIENT_SECRET: '' };
    assert.equal(
      refusal(noSecret),
      'SPREEKUUR_CLIENT_SECRET must be set when SPREEKUUR_URL is set',
    );
    assert.match(
      refusal({ ...on, SPREEKUUR_URL: 'https://x.nl/api' }),
      /^SPREEKUUR_URL must be the FHIR base/,
    );
    assert.match(
      refusal({ ...on, SPREEKUUR_ORGANIZATION: 'AGB1' }),
      /^SPREEKUUR_ORGANIZATION must be the 8-digit AGB code/,
    );
    assert.match(
      refusal({ ...on, SPREEKUUR_TIMEOUT_MS: 'soon' }),
      /^SPREEKUUR_TIMEOUT_MS must be a whole number/,
    );
    assert.match(refusal({ ...on, SPREEKUUR_FACILITIES: 'a b' }), /^SPREEKUUR_FACILITIES/);
    assert.match(
      refusal({ ...on, SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS: 'bsn' }),
      /^SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS/,
    );
  });

  it('accepts http:// outside production only', () => {
    const plain = {
      ...on,
      SPREEKUUR_URL: 'http://127.0.0.1:9/fhir/r4',
      SPREEKUUR_TOKEN_URL: 'http://127.0.0.1:9/oauth/token',
    };
    assert.equal(readFhirPortalConfig(plain).connection?.baseUrl, 'http://127.0.0.1:9/fhir/r4');
    assert.match(
      refusal({ ...plain, NODE_ENV: 'production' }),
      /^SPREEKUUR_URL must be an https URL/,
    );
  });
});
