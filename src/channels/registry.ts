/**
 * The one list of channels. Adding a channel is a folder
 * `src/channels/<name>/` with an `index.ts` exporting its `ChannelModule`,
 * and one line here; nothing else in the program names a channel.
 *
 * @module
 */
import type { Env } from '../config/settings.ts';
import type { Command } from '../cli/command.ts';
import {
  type OpenServices,
  registerChannel,
  type ChannelConfigContext,
  type EnabledChannel,
} from './channel-module.ts';
import { engagementIndex } from './engagement-index/index.ts';
import { fhirPortal } from './fhir-portal/index.ts';
import { kivra } from './kivra/index.ts';
import { webhooks } from './webhooks/index.ts';

/** Every channel, in the order they are started and reported. */
export const CHANNELS = [
  registerChannel(engagementIndex),
  registerChannel(kivra),
  registerChannel(webhooks),
  registerChannel(fhirPortal),
] as const;

/** The settings every channel reads, for the `SETTINGS` list. */
export const channelSettings = (): readonly string[] => CHANNELS.flatMap((c) => c.settings);

/** The channels switched on by these settings. Throws `ConfigError` for a bad one. */
export function readChannels(env: Env, context: ChannelConfigContext): EnabledChannel[] {
  return CHANNELS.map((c) => c.read(env, context)).filter((c) => c !== 'off');
}

/** Every channel's `tidbok` subcommands, opening services with `open`. */
export const channelCommands = (open: OpenServices): readonly Command[] =>
  CHANNELS.flatMap((c) => c.cliCommands(open));
