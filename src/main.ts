/**
 * `npm start`: the producer on the embedded store, seeded with the demo
 * calendar when the store is empty, printing where each contract is served.
 */
import { existsSync } from 'node:fs';
import { createApp } from './app.ts';
import { importCalendarFile } from './calendar-seed.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { createLogger } from './logging/logger.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const app = createApp({
    store: config.databaseUrl,
    logger,
    producerHsaId: config.producerHsaId,
    limits: { maxBodyBytes: config.maxBodyBytes },
  });

  const stats = await app.store.stats();
  if (stats.facilities === 0 && config.seedCalendar && existsSync(config.seedCalendar)) {
    const report = await importCalendarFile(app.service, config.seedCalendar);
    logger.info({ file: config.seedCalendar, report }, 'empty store seeded from calendar file');
  }

  const url = await app.listen(config.port, config.host);
  const lines = app.operations.map((op) => `  ${op.interaction.name.padEnd(28)} ${url}${op.interaction.path}`);
  process.stdout.write(
    `tidbok is serving crm:scheduling 1.1 on ${url} (store: ${config.databaseUrl})\n` +
      `${lines.join('\n')}\nEach address answers GET ?wsdl.\n`,
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
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
