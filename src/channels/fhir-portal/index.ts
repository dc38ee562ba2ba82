/**
 * The FHIR patient portal (Spreekuur.nl profile, issue 14) as a channel:
 * booking events become `Appointment` PUTs and `Communication` POSTs in the
 * outbox, delivered by {@link FhirPortalChannel}; patients' other national
 * identifiers (a BSN) on the admin API and the CLI; `tidbok fhir-sim`; in
 * demo mode (`npm start` with nothing configured) the simulator.
 *
 * @module
 */
import type { ChannelModule } from '../channel-module.ts';
import { ClientCredentialsToken } from '../http/client-credentials-token.ts';
import { FhirPortalChannel } from './fhir-portal-channel.ts';
import { fhirPortalCommands } from './fhir-portal-commands.ts';
import { FHIR_PORTAL_SETTINGS, readFhirPortalConfig } from './fhir-portal-config.ts';
import type { FhirPortalConfig } from './fhir-portal-config.ts';
import { fhirPortalListener } from './fhir-portal-listener.ts';
import { FHIR_PORTAL_CHANNEL } from './fhir-portal-payload.ts';
import { patientIdentifierRoutes } from './patient-identifier-routes.ts';

export const fhirPortal: ChannelModule<FhirPortalConfig> = {
  name: FHIR_PORTAL_CHANNEL,
  settings: FHIR_PORTAL_SETTINGS,
  readConfig(env, { demo }) {
    const config = readFhirPortalConfig(env);
    // Without a portal the channel is off, so nothing queues for it; a demo server delivers to the simulator.
    return config.connection || demo ? config : 'off';
  },
  changeListener: (config) =>
    fhirPortalListener(config.facilities ? { facilities: config.facilities } : {}),
  createChannel(config) {
    const connection = config.connection;
    if (!connection) return undefined;
    return new FhirPortalChannel(
      { ...connection, acceptedSystems: config.acceptedSystems },
      {
        tokens: new ClientCredentialsToken({
          tokenUrl: connection.tokenUrl,
          clientId: connection.clientId,
          clientSecret: connection.clientSecret,
          timeoutMs: connection.timeoutMs,
        }),
      },
    );
  },
  async startDemo(config, logger) {
    if (config.connection) return undefined;
    const { describeReceived, startFhirSimulator } = await import('../../dev/fhir-simulator.ts');
    const simulator = await startFhirSimulator({ acceptedSystems: config.acceptedSystems });
    let seen = 0;
    const timer = setInterval(() => {
      while (seen < simulator.received.length) {
        const r = simulator.received[seen++]!;
        if (r.path !== '/oauth/token')
          logger.info(
            { channel: FHIR_PORTAL_CHANNEL },
            `FHIR portal simulator: ${describeReceived(r)}`,
          );
      }
    }, 200);
    timer.unref();
    return {
      config: {
        ...config,
        connection: {
          baseUrl: simulator.baseUrl,
          tokenUrl: simulator.tokenUrl,
          clientId: simulator.clientId,
          clientSecret: simulator.clientSecret,
          organization: simulator.organization,
          organizationHeader: simulator.organizationHeader,
          timeoutMs: 10_000,
          batchSize: 8,
        },
      },
      description: `FHIR patient portal: SPREEKUUR_URL is not set, so Appointments and messages go to an embedded portal simulator at ${simulator.baseUrl} (demo mode).`,
      async close() {
        clearInterval(timer);
        await simulator.close();
      },
    };
  },
  describeTarget: (config) =>
    config.connection
      ? `FHIR patient portal: Appointments and messages go to ${config.connection.baseUrl} for organisation ${config.connection.organization}`
      : 'FHIR patient portal: SPREEKUUR_URL is not set, so messages are queued but not sent.',
  cliCommands: (open) => fhirPortalCommands(open),
  adminRoutes: () => patientIdentifierRoutes,
};
