/**
 * `tidbok migrate`: brings the store's schema up to date and says which
 * migrations it holds. Instances migrate by themselves when they start; this
 * is for doing it ahead of a rollout, with a database user allowed to change
 * the schema.
 */
import { loadConfig } from '../../config/config.ts';
import { migrateStore } from '../../store/create-store.ts';
import { CliError } from '../command.ts';
import { redactUrl, storeOption } from '../common-options.ts';
import { defineCommand } from '../define-command.ts';

export const migrateCommand = defineCommand({
  name: 'migrate',
  usage: '[--db <url>]',
  summary: 'Apply pending schema migrations to the store and list the applied ones.',
  about: [
    'Applies every schema migration the store does not hold yet, in one transaction, and',
    'lists what is applied. Safe to run while instances are starting or running: on',
    'PostgreSQL an advisory lock lets one migration run at a time.',
  ],
  options: storeOption('store to migrate: postgres://…, a SQLite path or sqlite: URL'),
  positionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new CliError('tidbok migrate takes no file names', 2);
    const url = values.db ?? loadConfig(io.env).databaseUrl;
    const applied = await migrateStore(url);
    const newest = applied.at(-1)?.version ?? 0;
    io.out(`Schema of ${redactUrl(url)} is at version ${newest}:`);
    for (const m of applied)
      io.out(`  ${m.version}  ${m.name} (applied ${new Date(m.appliedAtUtcMs).toISOString()})`);
    return 0;
  },
});
