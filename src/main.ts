/**
 * `npm start`: the producer on the embedded store, seeded with the demo
 * calendar when the store is empty, printing where each contract is served.
 * With `TIDBOK_WORKERS` above 1 this process becomes the primary of a pool
 * of worker processes that each run the producer on the same ports.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createApp } from './app.ts';
import { importCalendarFile } from './calendar/import-calendar-file.ts';
import {
  ConfigError,
  loadConfig,
  WORKER_DEMO_ADMIN_TOKEN,
  WORKER_INDEX,
  type Config,
} from './config/config.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { readTlsFiles } from './http/tls.ts';
import type { EnabledChannel } from './channels/channel-module.ts';
import type { SchedulingService } from './domain/scheduling-service.ts';
import { createServices } from './services.ts';
import { reportWorkerReady, WorkerPool } from './workers/worker-pool.ts';

/**
 * A fresh admin token for a demo, printed in the banner. base64url, not hex:
 * 48 hex characters hold ten digits in a row often enough (about one token in
 * a hundred) that a run of them reads as a valid personnummer, which the test
 * run's log scan, and any data-loss scanner at a care provider, rightly flags.
 */
const newDemoAdminToken = () => randomBytes(24).toString('base64url');

const isDemoListener = (config: Config) =>
  config.listener.kind === 'plain' && config.listener.reason === 'demo';

function warnPlainHttp(config: Config, logger: Logger): void {
  const { listener } = config;
  if (listener.kind !== 'plain') return;
  const why =
    listener.reason === 'demo'
      ? 'no TIDBOK_TLS_* files are set and NODE_ENV is not production (demo mode)'
      : 'TIDBOK_PLAIN_HTTP=true';
  logger.warn(
    { listener: 'plain-http', reason: listener.reason },
    `serving PLAIN HTTP without client certificates because ${why}: anyone who reaches the port can call; never do this on the national network`,
  );
}

async function seedIfEmpty(
  service: SchedulingService,
  config: Config,
  logger: Logger,
): Promise<void> {
  const stats = await service.store.stats();
  if (stats.facilities === 0 && config.seedCalendar && existsSync(config.seedCalendar)) {
    const report = await importCalendarFile(service, config.seedCalendar);
    logger.info({ file: config.seedCalendar, report }, 'empty store seeded from calendar file');
  }
}

const flushed = (logger: Logger) => new Promise<void>((resolve) => logger.flush(() => resolve()));

/**
 * The primary of a worker pool: migrates and seeds the store once (opening
 * it migrates), so workers never race to do it, then forks the workers and
 * serves nothing itself. SIGTERM or SIGINT drains every worker.
 */
async function runPrimary(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel });
  warnPlainHttp(config, logger);
  const services = createServices({ store: config.databaseUrl, channels: config.channels });
  try {
    await seedIfEmpty(services.service, config, logger);
  } finally {
    await services.close();
  }
  // Every worker must accept the same demo token, whichever one a request reaches.
  const demoToken =
    config.adminToken === undefined && isDemoListener(config) ? newDemoAdminToken() : undefined;
  const pool = new WorkerPool({
    count: config.workers,
    env: (index) => ({
      [WORKER_INDEX]: String(index),
      ...(demoToken !== undefined ? { [WORKER_DEMO_ADMIN_TOKEN]: demoToken } : {}),
    }),
    logger,
    // Each worker bounds its own drain by the same timeout; this is the backstop.
    stopTimeoutMs: config.shutdownTimeoutMs + 10_000,
  });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: pool.pids }, 'shutting down the workers');
    void pool.stop(signal).then(async (code) => {
      logger.info({ signal, code }, 'workers stopped');
      await flushed(logger);
      process.exit(code);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const banners = await pool.start();
  await flushed(logger);
  process.stdout.write(
    `${banners[0] ?? ''}${config.workers} worker processes (pids ${pool.pids.join(', ')}) share these ports; ` +
      `this primary (pid ${process.pid}) replaces any that dies and drains them all on SIGTERM.\n`,
  );
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, { server: true });
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config);
  return serve(config);
}

/** One producer: the whole process, or one worker of a pool. */
async function serve(config: Config): Promise<void> {
  const { worker } = config;
  const base = createLogger({ level: config.logLevel });
  const logger = worker ? base.child({ worker: worker.index }) : base;
  const { listener } = config;
  // The primary has warned once for the pool.
  if (!worker) warnPlainHttp(config, logger);

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
    worker?.demoAdminToken ??
    (isDemoListener(config) ? newDemoAdminToken() : undefined);
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

  // A pool's primary has seeded the store before forking.
  if (worker) await app.store.stats();
  else await seedIfEmpty(app.service, config, logger);

  const url = await app.listen(config.port, config.host);
  // In a pool only worker 0 serves the admin port: the console's sessions live in one process's memory.
  const adminUrl = config.admin.onSoapListener
    ? url
    : !worker || worker.index === 0
      ? await app.listenAdmin(config.admin.port, config.admin.host)
      : undefined;
  // Every worker dispatches (claims are safe across processes); one housekeeps, as it is work done once.
  app.startDispatcher();
  if (!worker || worker.index === 0) app.startHousekeeping();
  // Log lines are written in batches; the banner comes after the warnings above.
  await flushed(logger);
  const lines = app.operations.map(
    (op) => `  ${op.interaction.name.padEnd(28)} ${url}${op.interaction.path}`,
  );
  const banner =
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
    `Check it keeps the contracts: npx tidbok verify ${url} --facility <a facility's HSA-id> (docs/verify.md)\n`;
  if (worker) reportWorkerReady(banner);
  else process.stdout.write(banner);

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
  if (worker) {
    // A worker gets a signal twice when the terminal signals the whole group and the primary forwards it.
    let stopping = false;
    const once = (signal: string) => {
      if (!stopping) shutdown(signal);
      stopping = true;
    };
    process.on('SIGTERM', () => once('SIGTERM'));
    process.on('SIGINT', () => once('SIGINT'));
  } else {
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`tidbok: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`tidbok: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
