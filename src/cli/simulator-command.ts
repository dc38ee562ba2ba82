/**
 * `simulatorCommand`: a `tidbok <name>-sim` command that runs a local
 * simulator (from `src/dev/`) until Ctrl-C. Its flags are named after the
 * simulator's settings (`--client-id` sets `clientId`), always with `--port`.
 *
 * @module
 */
import type { Command } from './command.ts';
import { wholeNumber } from './common-options.ts';
import {
  defineCommand,
  type CommandSpec,
  type OptionSpecs,
  type OptionValues,
} from './define-command.ts';

const portOption = {
  port: {
    type: 'string',
    arg: 'n',
    help: 'port on 127.0.0.1 (default: a free one)',
    parse: wholeNumber(65535),
  },
} as const;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The settings the flags give: `client-id` becomes `clientId`; flags not given are left out. */
export type SimulatorSettings<O extends OptionSpecs> = {
  [K in keyof OptionValues<O> as K extends string ? CamelCase<K> : K]?: Exclude<
    OptionValues<O>[K],
    undefined
  >;
};

/**
 * A command that starts a simulator with the settings its flags give and
 * resolves when the simulator has stopped.
 */
export function simulatorCommand<const O extends OptionSpecs>(
  spec: Omit<CommandSpec<O>, 'run' | 'positionals'> & {
    /** Runs the simulator, printing with `out`, until it is stopped. */
    serve(
      settings: SimulatorSettings<O & typeof portOption>,
      out: (line: string) => void,
    ): Promise<void>;
  },
): Command {
  return defineCommand({
    ...spec,
    options: { ...portOption, ...spec.options } as typeof portOption & O,
    async run({ values }, io) {
      await spec.serve(simulatorSettings(values), io.out);
      return 0;
    },
  });
}

/** Flags to settings; an empty value counts as not given, so the simulator's default applies. */
function simulatorSettings<O extends OptionSpecs>(values: OptionValues<O>): SimulatorSettings<O> {
  const settings = Object.entries(values)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([flag, v]) => [flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), v]);
  return Object.fromEntries(settings) as SimulatorSettings<O>;
}
