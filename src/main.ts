/**
 * `npm start`: the producer on the embedded store, seeded with the demo
 * calendar when the store is empty, printing where each contract is served.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createApp } from './app.ts';
import { importCalendarFile } from './calendar/import-calendar-file.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { createLogger } from './logging/logger.ts';
import { readTlsFiles } from './http/tls.ts';
import type { EnabledChannel } from './channels/channel-module.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { server: true });
  const logger = createLogger({ level: config.logLevel });
  const { listener } = config;
  if (listener.kind === 'plain') {
    const why =
      listener.reason === 'demo'
        ? 'no TIDBOK_TLS_* files are set and NODE_ENV is not production (demo mode)'
        : 'TIDBOK_PLAIN_HTTP=true';
    logger.warn(
      { listener: 'plain-http', reason: listener.reason },
      `serving PLAIN HTTP without client certificates because ${why}: anyone who reaches the port can call; never do this on the national network`,
    );
  }

  // Demo mode: a channel without its target reports to a simulator of its own, so a newcomer sees deliveries.
  const channels: EnabledChannel[] = [];
  const banners: string[] = [];
  const simulators: (() => Promise<void>)[] = [];
  for (const channel of config.channels) {
    const demo = await channel.startDemo(logger);
    channels.push(demo?.channel ?? channel);
    banners.push(demo?.description ?? channel.describeTarget());
    if (demo) simulators.push(demo.close);
  }

  // A demo (plain HTTP, no TLS set up) gets a fresh admin token so the console is reachable after `npm start`.
  const adminToken =
    config.adminToken ??
    (listener.kind === 'plain' && listener.reason === 'demo'
      ? randomBytes(24).toString('hex')
      : undefined);
  const app = createApp({
    store: config.databaseUrl,
    logger,
    producerHsaId: config.producerHsaId,
    limits: { maxBodyBytes: config.maxBodyBytes },
    channels,
    ...(adminToken !== undefined ? { adminToken } : {}),
    adminListener: config.admin.onSoapListener ? 'soap' : 'separate',
    listenerLimits: config.http,
    ...(listener.kind === 'tls'
      ? {
          tls: readTlsFiles(listener.files),
          access: {
            allowedConsumers: listener.allowedConsumers,
            ...(listener.allowedOriginalConsumers
              ? { allowedOriginalConsumers: listener.allowedOriginalConsumers }
              : {}),
          },
        }
      : listener.allowedOriginalConsumers
        ? { access: { allowedOriginalConsumers: listener.allowedOriginalConsumers } }
        : {}),
  });

  const stats = await app.store.stats();
  if (stats.facilities === 0 && config.seedCalendar && existsSync(config.seedCalendar)) {
    const report = await importCalendarFile(app.service, config.seedCalendar);
    logger.info({ file: config.seedCalendar, report }, 'empty store seeded from calendar file');
  }

  const url = await app.listen(config.port, config.host);
  const adminUrl = config.admin.onSoapListener
    ? url
    : await app.listenAdmin(config.admin.port, config.admin.host);
  app.startDispatcher();
  app.startHousekeeping();
  // Log lines are written in batches; the banner comes after the warnings above.
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  const lines = app.operations.map(
    (op) => `  ${op.interaction.name.padEnd(28)} ${url}${op.interaction.path}`,
  );
  process.stdout.write(
    `tidbok is serving crm:scheduling 1.1 on ${url} (store: ${config.databaseUrl})\n` +
      `${lines.join('\n')}\nEach address answers GET ?wsdl.\n` +
      banners
        .filter((line) => line !== '')
        .map((line) => `${line}\n`)
        .join('') +
      `Metrics: ${url}/metrics. Admin API: ${adminToken ? `${adminUrl}/admin/ (bearer token ${config.adminToken ? 'from TIDBOK_ADMIN_TOKEN' : 'printed below'})` : 'off (set TIDBOK_ADMIN_TOKEN to enable)'}\n` +
      (adminToken && !config.adminToken
        ? `Staff console: ${adminUrl}/console/ and 1177 simulator: ${adminUrl}/simulator/, demo admin token ${adminToken}\n`
        : adminToken
          ? `Staff console: ${adminUrl}/console/ and 1177 simulator: ${adminUrl}/simulator/ (sign in with TIDBOK_ADMIN_TOKEN)\n`
          : '') +
      `Check it keeps the contracts: npx tidbok verify ${url} --facility <a facility's HSA-id> (docs/verify.md)\n`,
  );

  const shutdown = (signal: string) => {
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    app
      .close({ timeoutMs: config.shutdownTimeoutMs })
      .then(() => Promise.all(simulators.map((close) => close())))
      .then(
        () => {
          logger.info({ signal }, 'shut down');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`tidbok: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`tidbok: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
