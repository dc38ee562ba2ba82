/**
 * What one outbound channel (the engagement index, Kivra, webhooks, …) gives
 * the rest of the program. Each channel is a folder `src/channels/<name>/`
 * whose `index.ts` exports one {@link ChannelModule}; `registry.ts` lists
 * them, and everything else (config, services, app, CLI, metrics) loops over
 * that list without naming a channel.
 *
 * @module
 */
import type { Registry } from 'prom-client';
import type { BookingChangeListener } from '../domain/booking-change.ts';
import type { Env } from '../config/settings.ts';
import type { CliIo, Command } from '../cli/command.ts';
import type { Services } from '../services.ts';
import type { Logger } from '../logging/logger.ts';
import type { AdminRouteContribution } from '../admin/admin-route.ts';
import type { CalendarStore } from '../store/calendar-store.ts';
import type { Channel } from './channel.ts';

/** What a configuration reader may need beyond the channel's own settings. */
export interface ChannelConfigContext {
  /** This producer's HSA-id (`EI_SOURCE_SYSTEM` or `TIDBOK_HSA_ID`). */
  readonly producerHsaId: string;
  /**
   * The server (`npm start`) runs as a demo: nothing configured (plain HTTP
   * by default outside production, no `EI_URL`). An optional channel may then switch
   * itself on without its target and deliver to its simulator
   * ({@link ChannelModule.startDemo}); the CLI and tests never set it, so
   * their changes queue nothing for a channel that is not configured.
   */
  readonly demo?: boolean;
}

/** What the composition root lends a channel's delivery: the store the app runs on, its logger. */
export interface ChannelContext {
  readonly store: CalendarStore;
  readonly logger: Logger;
}

/** Knobs the composition root may override on a channel (tests shorten waits). */
export interface ChannelOverrides {
  /** Gap between two deliveries of one key (ms), instead of the channel's own. */
  readonly keyGapMs?: number;
}

/**
 * How a channel's CLI command opens the store and services the server uses
 * (the CLI passes its `withServices`: config, `--db`, closing afterwards).
 */
export type OpenServices = <T>(
  io: CliIo,
  db: string | undefined,
  fn: (services: Services) => Promise<T>,
) => Promise<T>;

/** A simulator a channel started for demo mode, and the configuration that points at it. */
export interface DemoTarget<C> {
  /** The channel's configuration, now aimed at the simulator. */
  readonly config: C;
  /** One line for the start-up banner: where deliveries go and why. */
  readonly description: string;
  /** Stops the simulator (after the app has closed). */
  close(): Promise<void>;
}

/**
 * One channel, as the registry lists it. `C` is the channel's own validated
 * configuration; the rest of the program only passes it back to the module.
 */
export interface ChannelModule<C> {
  /** The outbox channel name its messages carry and its metrics label, e.g. `engagement-index`. */
  readonly name: string;
  /** Every environment setting {@link readConfig} reads (they join the `SETTINGS` list). */
  readonly settings: readonly string[];
  /**
   * Reads and validates the channel's settings at start-up. Throws a
   * `ConfigError` naming the setting when one is wrong; returns `'off'` when
   * the channel is not configured (then it writes and sends nothing).
   */
  readConfig(env: Env, context: ChannelConfigContext): C | 'off';
  /**
   * The change listener: turns a committed booking change into this
   * channel's outbox messages, appended on the change's own transaction.
   */
  changeListener(config: C): BookingChangeListener;
  /**
   * The delivery object the dispatcher drives, with its batch size, key gap,
   * lease and retry schedule; `undefined` when the configuration names no
   * target (messages are queued but not sent).
   */
  createChannel(
    config: C,
    overrides?: ChannelOverrides,
    context?: ChannelContext,
  ): Channel | undefined;
  /**
   * Demo mode (`npm start` without the channel's target): starts a local
   * simulator and returns the configuration pointing at it. Resolves to
   * `undefined` when the channel has a real target.
   */
  startDemo?(config: C, logger: Logger): Promise<DemoTarget<C> | undefined>;
  /** The start-up banner's line for a channel with a real target. */
  describeTarget?(config: C): string;
  /** `tidbok` subcommands of this channel; `open` gives them the services (and so the configuration). */
  cliCommands?(open: OpenServices): readonly Command[];
  /** Registers the channel's own figures on `/metrics` (the outbox figures are there for every channel). */
  registerMetrics?(registry: Registry, config: C): void;
  /** Routes this channel adds to the admin API (under `/admin/`, behind its token). */
  adminRoutes?(config: C): AdminRouteContribution;
}

/**
 * A channel switched on, with its configuration bound: what services, app
 * and main hold. Built only by {@link enableChannel}, so module and config
 * always belong together.
 */
export interface EnabledChannel {
  readonly name: string;
  /** The module this came from (for {@link configOf}). */
  readonly module: object;
  /** The module's configuration, as read or as given by a test. */
  readonly config: unknown;
  changeListener(): BookingChangeListener;
  createChannel(overrides?: ChannelOverrides, context?: ChannelContext): Channel | undefined;
  /** Demo mode: the channel pointed at a fresh simulator, or undefined when it has a target. */
  startDemo(
    logger: Logger,
  ): Promise<{ channel: EnabledChannel; description: string; close(): Promise<void> } | undefined>;
  /** The banner line when it has a real target (empty when the module says nothing). */
  describeTarget(): string;
  registerMetrics(registry: Registry): void;
  /** The channel's admin routes, when it has any. */
  adminRoutes(): AdminRouteContribution | undefined;
}

/** Binds a module to its configuration. */
export function enableChannel<C>(module: ChannelModule<C>, config: C): EnabledChannel {
  return {
    name: module.name,
    module,
    config,
    changeListener: () => module.changeListener(config),
    createChannel: (overrides, context) => module.createChannel(config, overrides, context),
    async startDemo(logger) {
      const demo = await module.startDemo?.(config, logger);
      if (!demo) return undefined;
      return {
        channel: enableChannel(module, demo.config),
        description: demo.description,
        close: () => demo.close(),
      };
    },
    describeTarget: () => module.describeTarget?.(config) ?? '',
    registerMetrics: (registry) => module.registerMetrics?.(registry, config),
    adminRoutes: () => module.adminRoutes?.(config),
  };
}

/** The configuration of `module` among the enabled channels; undefined when it is off. */
export function configOf<C>(
  channels: readonly EnabledChannel[],
  module: ChannelModule<C>,
): C | undefined {
  // enableChannel pairs a module with its own config type, so the match is typed.
  return channels.find((c) => c.module === module)?.config as C | undefined;
}

/** A module as the registry holds it: its config type hidden behind {@link RegisteredChannel.read}. */
export interface RegisteredChannel {
  readonly name: string;
  readonly settings: readonly string[];
  cliCommands(open: OpenServices): readonly Command[];
  /** Reads the channel's settings: the enabled channel, or `'off'`. Throws `ConfigError`. */
  read(env: Env, context: ChannelConfigContext): EnabledChannel | 'off';
}

/** Wraps a module for the registry's list. */
export function registerChannel<C>(module: ChannelModule<C>): RegisteredChannel {
  return {
    name: module.name,
    settings: module.settings,
    cliCommands: (open) => module.cliCommands?.(open) ?? [],
    read(env, context) {
      const config = module.readConfig(env, context);
      return config === 'off' ? 'off' : enableChannel(module, config);
    },
  };
}
