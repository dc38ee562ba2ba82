/**
 * The `tidbok` dispatcher: finds the command named by the first words of the
 * arguments, prints help, and turns the errors a user can fix into a short
 * message and an exit code, never a stack trace.
 */
import { CalendarFileError } from '../calendar/calendar-file.ts';
import { ConfigError } from '../config/config.ts';
import { CliError } from './command.ts';
import type { CliIo, Command } from './command.ts';

/** Runs `tidbok <args>` with the given commands and resolves to the exit code. */
export async function runCli(
  args: readonly string[],
  commands: readonly Command[],
  io: CliIo,
): Promise<number> {
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    const topic = args[0] === 'help' ? findCommand(args.slice(1), commands) : undefined;
    if (topic) printCommandHelp(topic.command, io);
    else printHelp(commands, io);
    return args.length === 0 ? 2 : 0;
  }
  const found = findCommand(args, commands);
  if (!found) {
    io.err(`tidbok: unknown command '${args[0]}'. Run tidbok --help for the list.`);
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    printCommandHelp(command, io);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    return reportError(command, err, io);
  }
}

/** The command whose (possibly several-word) name begins the arguments; the longest name wins. */
function findCommand(args: readonly string[], commands: readonly Command[]) {
  let best: { command: Command; rest: readonly string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (
      words.every((w, i) => args[i] === w) &&
      (!best || words.length > best.command.name.split(' ').length)
    )
      best = { command, rest: args.slice(words.length) };
  }
  return best;
}

function printHelp(commands: readonly Command[], io: CliIo): void {
  io.out('Usage: tidbok <command> [options]');
  io.out('');
  io.out('Commands:');
  const width = Math.max(...commands.map((c) => c.name.length));
  for (const c of commands) io.out(`  ${c.name.padEnd(width)}  ${c.summary}`);
  io.out('');
  io.out('Run tidbok <command> --help for its options.');
}

function printCommandHelp(command: Command, io: CliIo): void {
  io.out(`Usage: tidbok ${command.name} ${command.usage}`);
  io.out('');
  io.out(command.summary);
  io.out('');
  io.out(command.help);
}

function reportError(command: Command, err: unknown, io: CliIo): number {
  const prefix = `tidbok ${command.name}`;
  if (err instanceof CliError) {
    io.err(`${prefix}: ${err.message}`);
    if (err.exitCode === 2) io.err(`Usage: tidbok ${command.name} ${command.usage}`);
    return err.exitCode;
  }
  if (err instanceof CalendarFileError || err instanceof ConfigError) {
    io.err(`${prefix}: ${err.message}`);
    return 1;
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    io.err(`${prefix}: ${(err as Error).message}`);
    io.err(`Usage: tidbok ${command.name} ${command.usage}`);
    return 2;
  }
  // Anything else is a fault of ours or of the environment: name it, keep the stack for whoever debugs.
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  io.err(`${prefix} failed: ${name}: ${message}`);
  if (io.env['TIDBOK_DEBUG'] && err instanceof Error && err.stack) io.err(err.stack);
  else io.err('(set TIDBOK_DEBUG=1 to see where)');
  return 1;
}
