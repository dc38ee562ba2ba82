/**
 * The engagement index's settings (`EI_*`), read and validated at start-up
 * like every other setting.
 *
 * @module
 */
import { ConfigError, existingFile, httpUrl, integer, type Env } from '../../config/settings.ts';
import { eiConfigDefaults, type EiConfig } from './engagement-mapping.ts';

/** The settings this reader takes; `TIDBOK_CONFIG_FILE` may hold them too. */
export const EI_SETTINGS = [
  'EI_URL',
  'EI_SOURCE_SYSTEM',
  'EI_DATA_CONTROLLER',
  'EI_LOGICAL_ADDRESS',
  'EI_TLS_CERT',
  'EI_TLS_KEY',
  'EI_TLS_CA',
  'EI_TIMEOUT_MS',
  'EI_BATCH_SIZE',
  'EI_LEASE_MS',
] as const;

/** Default claim lease of the EI dispatcher: 10 minutes. */
export const DEFAULT_EI_LEASE_MS = 600_000;

/**
 * EI reporting as configured. Never off: without `EI_URL` every booking
 * change is still queued (so a later URL, or the demo simulator, gets it),
 * just not sent.
 *
 * @param producerHsaId - this producer's HSA-id (`EI_SOURCE_SYSTEM` or `TIDBOK_HSA_ID`): the engagements' sourceSystem
 */
export function readEiConfig(env: Env, producerHsaId: string): EiConfig {
  const url = httpUrl(env, 'EI_URL');
  // Against a real index these identify us in every engagement; no guessing.
  if (url !== undefined)
    for (const name of ['EI_SOURCE_SYSTEM', 'EI_DATA_CONTROLLER'])
      if (!env[name]) throw new ConfigError(`${name} must be set when EI_URL is set`);
  const [cert, key, ca] = ['EI_TLS_CERT', 'EI_TLS_KEY', 'EI_TLS_CA'].map((name) =>
    existingFile(env, name),
  );
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError('EI_TLS_CERT and EI_TLS_KEY must be set together');
  const timeoutMs = integer(env, 'EI_TIMEOUT_MS', eiConfigDefaults.timeoutMs, 100, 600_000);
  const leaseMs = integer(env, 'EI_LEASE_MS', DEFAULT_EI_LEASE_MS, 1_000, 86_400_000);
  if (leaseMs <= timeoutMs)
    throw new ConfigError(
      `EI_LEASE_MS (${leaseMs}) must be longer than EI_TIMEOUT_MS (${timeoutMs}), or a slow call could be sent twice at once`,
    );
  return {
    ...(url !== undefined ? { url } : {}),
    logicalAddress: env['EI_LOGICAL_ADDRESS'] || eiConfigDefaults.logicalAddress,
    sourceSystem: producerHsaId,
    dataController: env['EI_DATA_CONTROLLER'] || producerHsaId,
    ...(cert !== undefined && key !== undefined
      ? { tls: { cert, key, ...(ca ? { ca } : {}) } }
      : {}),
    timeoutMs,
    batchSize: integer(env, 'EI_BATCH_SIZE', eiConfigDefaults.batchSize, 1, 1000),
    leaseMs,
  };
}
