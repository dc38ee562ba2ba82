/**
 * `defineCommand`: one description of a `tidbok` subcommand (its options with
 * their help lines) from which both the parser and the `--help` text come, so
 * an option cannot be accepted without being documented, or the other way round.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { CliError, type CliIo, type Command } from './command.ts';

/** One `--option` of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** May be given several times; the value is then a list. */
  readonly multiple?: boolean;
  readonly short?: string;
  /** The value's placeholder in help: `hsa-id` gives `--facility <hsa-id>`. */
  readonly arg?: string;
  /** Replaces the derived label, e.g. one line for `--start <ts> --end <ts>`. */
  readonly label?: string;
  /**
   * Its help line (more lines continue under the first); `''` shows the label
   * alone. Without help the option is documented by a neighbour's label.
   */
  readonly help?: string | readonly string[];
  /** Further help rows of the same option: `--patient -` beside `--patient <pnr>`. */
  readonly also?: readonly (readonly [label: string, text: string])[];
  /** Missing or empty: the command stops with this as a usage error (exit 2). */
  readonly required?: string;
  /** Turns the text into the value the command gets; throws {@link CliError} for a bad one. */
  readonly parse?: (raw: string, flag: string) => unknown;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> = S extends { parse: (raw: string, flag: string) => infer T }
  ? T
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { multiple: true }
      ? string[]
      : string;

type RequiredKeys<O> = { [K in keyof O]: O[K] extends { required: string } ? K : never }[keyof O];

/** The parsed options: a required one is always there, the others may be absent. */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in RequiredKeys<O>]: ValueOf<O[K]>;
} & { readonly [K in Exclude<keyof O, RequiredKeys<O>>]?: ValueOf<O[K]> };

export interface CommandSpec<O extends OptionSpecs> {
  /** What the user types, one or more words: `import`, `ei reload`. */
  readonly name: string;
  /** Arguments after the name, for the usage line. */
  readonly usage: string;
  /** One line for `tidbok --help`. */
  readonly summary: string;
  /** What the command does, the lines above `Options:`. */
  readonly about?: readonly string[];
  readonly options: O;
  /** Lines below the options (exit statuses, …). */
  readonly notes?: readonly string[];
  /** Takes arguments besides options (ids, file names); checked by the command itself. */
  readonly positionals?: boolean;
  /** Runs on parsed arguments and resolves to the exit code. */
  run(
    args: { readonly values: OptionValues<O>; readonly positionals: readonly string[] },
    io: CliIo,
  ): Promise<number>;
}

/** A {@link Command} whose parser and help text both come from `spec.options`. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    help: helpText(spec),
    async run(args, io) {
      const { values, positionals } = parseArgs({
        args: [...args],
        options: parserOptions(spec.options),
        allowPositionals: spec.positionals ?? false,
        strict: true,
      });
      return spec.run({ values: checkedValues(spec.options, values), positionals }, io);
    },
  };
}

/** The one argument a command takes (an id); `complaint` when there is none or more. */
export function onlyPositional(positionals: readonly string[], complaint: string): string {
  const [only, ...extra] = positionals;
  if (!only || extra.length > 0) throw new CliError(complaint, 2);
  return only;
}

function parserOptions(options: OptionSpecs) {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.short ? { short: o.short } : {}),
      },
    ]),
  );
}

function checkedValues<O extends OptionSpecs>(
  options: O,
  values: Record<string, unknown>,
): OptionValues<O> {
  const checked: Record<string, unknown> = { ...values };
  for (const [name, o] of Object.entries(options)) {
    const raw = values[name];
    if (o.required !== undefined && (raw === undefined || raw === ''))
      throw new CliError(o.required, 2);
    if (o.parse && typeof raw === 'string') checked[name] = o.parse(raw, `--${name}`);
  }
  // Each value now has the type OptionValues derives from its spec.
  return checked as OptionValues<O>;
}

function helpText(spec: CommandSpec<OptionSpecs>): string {
  const rows: [label: string, text: readonly string[]][] = [];
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.help === undefined) continue;
    const label = o.label ?? `--${name}${o.arg ? ` <${o.arg}>` : ''}`;
    rows.push([label, typeof o.help === 'string' ? [o.help] : o.help]);
    for (const [alsoLabel, text] of o.also ?? []) rows.push([alsoLabel, [text]]);
  }
  // A label shown alone (a list of names) may be as wide as it likes.
  const width = Math.max(0, ...rows.filter(([, t]) => t[0]).map(([l]) => l.length));
  const indent = ' '.repeat(width + 4);
  const optionLines = rows.flatMap(([label, [first, ...more]]) =>
    first
      ? [`  ${label.padEnd(width)}  ${first}`, ...more.map((line) => indent + line)]
      : [`  ${label}`],
  );
  const about = spec.about ?? [];
  return [
    ...about,
    ...(about.length > 0 ? [''] : []),
    'Options:',
    ...optionLines,
    ...(spec.notes ? ['', ...spec.notes] : []),
  ].join('\n');
}
