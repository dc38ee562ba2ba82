/**
 * Options and output shapes many `tidbok` commands share: the store (`--db`),
 * `--json`, whole-number values, and printing an answer as JSON or as lines.
 *
 * @module
 */
import { CliError, type CliIo } from './command.ts';

const STORE_DEFAULT = '(default: $DATABASE_URL, else $TIDBOK_DB, else ./data/tidbok.db)';

/** `--db <url>`: which store; `lead` says what it is for. */
export const storeOption = (lead = 'store: a SQLite path or sqlite: URL') =>
  ({ db: { type: 'string', arg: 'url', help: [lead, STORE_DEFAULT] } }) as const;

/** The `--db` option of commands on the server's store. */
export const dbOption = storeOption();

/** `--json`: print the answer as JSON; `what` names the answer ("the booking"). */
export const jsonOption = (what: string) =>
  ({ json: { type: 'boolean', help: `print ${what} as JSON` } }) as const;

/** A value parser: a whole number from 0 to `max`. */
export const wholeNumber =
  (max: number) =>
  (raw: string, flag: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) > max)
      throw new CliError(`${flag} must be a whole number up to ${max}`, 2);
    return Number(raw);
  };

/** Prints `answer` as one line of JSON with `--json`, else the lines `describe` makes of it. */
export function printAnswer<T>(
  io: CliIo,
  json: boolean | undefined,
  answer: T,
  describe: (answer: T) => Iterable<string>,
): void {
  if (json) io.out(JSON.stringify(answer));
  else for (const line of describe(answer)) io.out(line);
}

/** A database URL without its password, fit to print. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
