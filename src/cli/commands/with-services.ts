/**
 * How a CLI command reaches the domain: the store the server uses (config
 * DATABASE_URL / TIDBOK_DB, or `--db`) and the scheduling service with every
 * enabled channel's listener from the same config, so a change made here
 * queues its outbox messages for the running server's dispatchers to deliver.
 */
import { loadConfig } from '../../config/config.ts';
import { createServices, type Services } from '../../services.ts';
import { StaffActionError } from '../../staff/staff-action-error.ts';
import { CliError, type CliIo } from '../command.ts';

/** Runs `fn` on freshly opened services and closes them afterwards. */
export async function withServices<T>(
  io: CliIo,
  db: string | undefined,
  fn: (services: Services) => Promise<T>,
): Promise<T> {
  const config = loadConfig(io.env);
  const services = createServices({ store: db ?? config.databaseUrl, channels: config.channels });
  try {
    return await fn(services);
  } catch (err) {
    if (err instanceof StaffActionError) throw new CliError(err.message);
    throw err;
  } finally {
    await services.close();
  }
}
