/**
 * The seam every `tidbok` subcommand plugs into. A command is one file under
 * `commands/`, listed once in `commands/index.ts`; the dispatcher in
 * `run-cli.ts` finds it by name, prints help and turns errors into exit codes.
 *
 * @module
 */

/** Where a command writes and what it may read from its surroundings. */
export interface CliIo {
  /** Writes a line for the user (the report, results). */
  readonly out: (line: string) => void;
  /** Writes a line about a problem. */
  readonly err: (line: string) => void;
  /** Environment variables (TIDBOK_DB, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads all of standard input (`--patient -`); the process's own when absent. */
  readonly stdin?: () => Promise<string>;
}

export interface Command {
  /** What the user types, one or more words: `import`, `ei reload`, `outbox status`. */
  readonly name: string;
  /** Arguments after the name, for the command list: `<file> [--db <url>]`. */
  readonly usage: string;
  /** One line for `tidbok --help`. */
  readonly summary: string;
  /** Text for `tidbok <name> --help`: options and what the command does. */
  readonly help: string;
  /**
   * Runs the command with the arguments that follow its name and resolves to
   * the exit code. Throws {@link CliError} (or `CalendarFileError`) for input
   * the user can fix; the dispatcher prints its message without a stack.
   */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** A problem the user can fix: printed as is, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    /** 1 for bad input or a failed run, 2 for wrong usage. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
