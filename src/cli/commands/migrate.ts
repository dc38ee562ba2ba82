/**
 * `tidbok migrate`: brings the store's schema up to date and says which
 * migrations it holds. Instances migrate by themselves when they start; this
 * is for doing it ahead of a rollout, with a database user allowed to change
 * the schema.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config.ts';
import { migrateStore } from '../../store/create-store.ts';
import { CliError } from '../command.ts';
import type { Command } from '../command.ts';

/** A database URL without its password, fit to print. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

export const migrateCommand: Command = {
  name: 'migrate',
  usage: '[--db <url>]',
  summary: 'Apply pending schema migrations to the store and list the applied ones.',
  help: [
    'Applies every schema migration the store does not hold yet, in one transaction, and',
    'lists what is applied. Safe to run while instances are starting or running: on',
    'PostgreSQL an advisory lock lets one migration run at a time.',
    '',
    'Options:',
    '  --db <url>  store to migrate: postgres://…, a SQLite path or sqlite: URL',
    '              (default: $DATABASE_URL, else $TIDBOK_DB, else ./data/tidbok.db)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { db: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new CliError('tidbok migrate takes no file names', 2);
    const url = values.db ?? loadConfig(io.env).databaseUrl;
    const applied = await migrateStore(url);
    const newest = applied.at(-1)?.version ?? 0;
    io.out(`Schema of ${redact(url)} is at version ${newest}:`);
    for (const m of applied)
      io.out(`  ${m.version}  ${m.name} (applied ${new Date(m.appliedAtUtcMs).toISOString()})`);
    return 0;
  },
};
