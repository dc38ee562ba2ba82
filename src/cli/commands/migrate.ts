/** `tidbok migrate`: bring the store's schema up to date and say what is applied. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config.ts';
import { appliedMigrationsOf, createStore } from '../../store/create-store.ts';
import type { Command } from '../command.ts';
import { dbHelp, dbOption } from './with-services.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: '[--json] [--db <url>]',
  summary: "Create or upgrade the store's schema and list the applied migrations.",
  help: [
    'Opening the store applies any migration it lacks (the server does the same at start);',
    'this command does only that and lists what is applied.',
    '',
    'Options:',
    '  --json  print the migrations as JSON',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { ...dbOption, json: { type: 'boolean' } },
      strict: true,
    });
    const store = createStore(values.db ?? loadConfig(io.env).databaseUrl);
    try {
      const applied = await appliedMigrationsOf(store);
      if (values.json) io.out(JSON.stringify(applied));
      else {
        io.out(`The schema is at version ${applied.at(-1)?.version ?? 0}. Applied migrations:`);
        for (const m of applied)
          io.out(
            `  ${String(m.version).padStart(3)}  ${new Date(m.appliedAtUtcMs).toISOString()}  ${m.name}`,
          );
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
