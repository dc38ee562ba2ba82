/**
 * Kivra as a channel: every booking change at an enabled unit becomes a
 * letter in the patient's Kivra mailbox (issue 13; docs/kivra.md). Settings
 * `KIVRA_*`; `tidbok kivra preview|kivra-sim` on the CLI. In demo mode
 * (`npm start` without `KIVRA_URL`, TLS files or `NODE_ENV=production`) the
 * letters go to an embedded Kivra simulator.
 *
 * @module
 */
import type { BookingChangeListener } from '../../domain/booking-change.ts';
import type { ChannelModule } from '../channel-module.ts';
import { KivraChannel } from './kivra-channel.ts';
import { kivraCommands } from './kivra-commands.ts';
import {
  isKivraDemo,
  KIVRA_ENV_NAMES,
  kivraDemoConfig,
  readKivraConfig,
  type KivraConfig,
} from './kivra-config.ts';
import { KIVRA_CHANNEL, kivraListener } from './kivra-listener.ts';

/** A demo configuration has no target until `npm start` starts the simulator: nothing to write for. */
const writesNothing: BookingChangeListener = async () => {};

export const kivra: ChannelModule<KivraConfig> = {
  name: KIVRA_CHANNEL,
  settings: KIVRA_ENV_NAMES,
  readConfig: (env) => readKivraConfig(env) ?? (isKivraDemo(env) ? kivraDemoConfig(env) : 'off'),
  changeListener: (config) => (config.url ? kivraListener(config) : writesNothing),
  createChannel: (config, overrides = {}) =>
    config.url ? new KivraChannel({ ...config, url: config.url }, overrides) : undefined,
  async startDemo(config, logger) {
    if (config.url) return undefined;
    const { describeKivraRequest, startKivraSimulator } =
      await import('../../dev/kivra-simulator.ts');
    const simulator = await startKivraSimulator({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      tenantKey: config.tenantKey,
    });
    simulator.onRequest((request) =>
      logger.info({ channel: KIVRA_CHANNEL }, `Kivra simulator: ${describeKivraRequest(request)}`),
    );
    return {
      config: { ...config, url: simulator.url },
      description: `Kivra: KIVRA_URL is not set, so letters go to an embedded Kivra simulator at ${simulator.url} (demo mode).`,
      close: () => simulator.close(),
    };
  },
  describeTarget: (config) =>
    `Kivra: letters go to ${config.url ?? '(nowhere)'} for ${config.facilities ? config.facilities.join(', ') : 'every unit'}`,
  cliCommands: (open) => kivraCommands(open),
};
