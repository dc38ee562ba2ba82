/**
 * How a CLI command reaches the domain: the store the server uses (config
 * DATABASE_URL / TIDBOK_DB, or `--db`) and the scheduling service with the
 * EI listener from the same config, so a change made here queues its EI
 * outbox messages for the running server's dispatcher to deliver.
 */
import { loadConfig } from '../../config/config.ts';
import { createServices, type Services } from '../../services.ts';
import type { EiConfig } from '../../channels/engagement-index/engagement-mapping.ts';
import { StaffActionError } from '../../staff/staff-action-error.ts';
import { CliError, type CliIo } from '../command.ts';

/** Runs `fn` on freshly opened services and closes them afterwards. */
export async function withServices<T>(
  io: CliIo,
  db: string | undefined,
  fn: (services: Services & { readonly ei: EiConfig }) => Promise<T>,
): Promise<T> {
  const config = loadConfig(io.env);
  const services = createServices({ store: db ?? config.databaseUrl, ei: config.ei });
  try {
    return await fn({ ...services, ei: config.ei });
  } catch (err) {
    if (err instanceof StaffActionError) throw new CliError(err.message);
    throw err;
  } finally {
    await services.close();
  }
}

/** The `--db` option every store command takes, and its help line. */
export const dbOption = { db: { type: 'string' } } as const;
export const dbHelp =
  '  --db <url>        store: a SQLite path or sqlite: URL\n' +
  '                    (default: $DATABASE_URL, else $TIDBOK_DB, else ./data/tidbok.db)';
