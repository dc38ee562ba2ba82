/** `tidbok <args>` in process, with the real command list: what it printed and its exit code. */
import { commands } from '../../src/cli/commands/index.ts';
import { runCli } from '../../src/cli/run-cli.ts';

export interface TidbokRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs the command with `env` as its only environment. */
export async function runTidbok(
  env: Readonly<Record<string, string>>,
  ...args: string[]
): Promise<TidbokRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, commands, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env,
  });
  return { code, out, err };
}
