/**
 * Entry point of the `tidbok` command (bin/tidbok.mjs, `npm run cli`).
 * Commands live in `commands/`, one file each, listed in `commands/index.ts`.
 */
import { commands } from './commands/index.ts';
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), commands, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
