/**
 * The engagement index as a channel: every booking change becomes EI Update
 * transactions in the outbox (rivta-spec §3), delivered by
 * {@link EngagementIndexChannel}; `tidbok ei reload|ei-sim` on the CLI and
 * `POST /admin/ei/reload` on the admin API.
 *
 * @module
 */
import type { ChannelModule } from '../channel-module.ts';
import { EI_SETTINGS, readEiConfig } from './ei-config.ts';
import { engagementIndexRoutes } from './ei-admin-routes.ts';
import { eiCommands } from './ei-commands.ts';
import { EngagementIndexChannel } from './engagement-index-channel.ts';
import { EI_CHANNEL, engagementListener, type EiConfig } from './engagement-mapping.ts';

export const engagementIndex: ChannelModule<EiConfig> = {
  name: EI_CHANNEL,
  settings: EI_SETTINGS,
  readConfig: (env, { producerHsaId }) => readEiConfig(env, producerHsaId),
  changeListener: (config) => engagementListener(config),
  createChannel: (config, overrides = {}) =>
    config.url ? new EngagementIndexChannel(config, overrides) : undefined,
  // With no EI_URL, report to an embedded simulator so a newcomer sees engagements appear.
  async startDemo(config, logger) {
    if (config.url) return undefined;
    const { describeCall, followCalls, startEiSimulator } =
      await import('../../dev/ei-simulator.ts');
    const simulator = await startEiSimulator({ hsaId: config.logicalAddress });
    followCalls(simulator, (call) =>
      logger.info(
        { correlationId: call.correlationId },
        `EI simulator received Update: ${describeCall(call)}`,
      ),
    );
    return {
      config: { ...config, url: simulator.url },
      description: `Engagement index: EI_URL is not set, so Updates go to an embedded EI simulator at ${simulator.url} (demo mode).`,
      close: () => simulator.close(),
    };
  },
  describeTarget: (config) =>
    config.url
      ? `Engagement index: Updates go to ${config.url}`
      : 'Engagement index: EI_URL is not set, so Updates are queued but not sent.',
  cliCommands: (open) => eiCommands(open, engagementIndex),
  adminRoutes: (config) => engagementIndexRoutes(config),
};
