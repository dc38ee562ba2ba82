/**
 * `tidbok ei reload` and `tidbok ei-sim`: the engagement index from the
 * operator's side, contributed to the CLI by the channel module.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { CliError, type Command } from '../../cli/command.ts';
import { dbHelp, dbOption } from '../../cli/commands/db-option.ts';
import { configOf, type ChannelModule, type OpenServices } from '../channel-module.ts';
import type { EiConfig } from './engagement-mapping.ts';
import { reloadFacility } from './engagement-reload.ts';

/**
 * The engagement index's `tidbok` commands.
 *
 * @param open - opens the services the server uses (the CLI's `withServices`)
 * @param module - the engagement-index module, to find its configuration among the enabled channels
 */
export function eiCommands(open: OpenServices, module: ChannelModule<EiConfig>): Command[] {
  return [eiReloadCommand(open, module), eiSimCommand];
}

const eiReloadCommand = (open: OpenServices, module: ChannelModule<EiConfig>): Command => ({
  name: 'ei reload',
  usage: '--facility <hsa-id> [--json] [--db <url>]',
  summary: 'Re-send every current booking and invitation of a unit to the engagement index.',
  help: [
    'Queues an upsert for every active booking still to come and every current invitation',
    'of the unit (policy: the producer must be able to reload EI on demand). The running',
    'server delivers them, at most 1000 per Update call. For a unit not enabled for web',
    'booking it queues a delete of each instead: EI holds nothing of such a unit.',
    '',
    'Options:',
    '  --facility <hsa-id>  the unit',
    '  --json               print the report as JSON',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { ...dbOption, facility: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    if (!values.facility) throw new CliError('name the unit: --facility <hsa-id>', 2);
    const facility = values.facility;
    const report = await open(io, values.db, async ({ store, channels }) => {
      const ei = configOf(channels, module);
      if (!ei) throw new CliError('engagement-index reporting is not configured here');
      return reloadFacility(store, facility, ei);
    });
    if (values.json) io.out(JSON.stringify(report));
    else
      io.out(
        `Queued ${report.engagements} ${report.queued === 'delete' ? 'delete' : 'engagement'}${report.engagements === 1 ? '' : 's'} of ${report.facility} for the engagement index (${report.transactions} batch${report.transactions === 1 ? '' : 'es'})${report.queued === 'delete' ? ': the unit is not enabled for web booking, so EI lets go of its engagements' : ''}.`,
      );
    return 0;
  },
});

const eiSimCommand: Command = {
  name: 'ei-sim',
  usage: '[--port <n>] [--hsa-id <id>] [--collect-window-ms <ms>]',
  summary: 'Run a local engagement index (Update) that prints each call, for tests and demos.',
  help: [
    'Validates Update calls as the national EI does (EI000-EI006, correlation header) and',
    'prints one line per call, never a person id. Point EI_URL at the address it prints.',
    'Stops on Ctrl-C.',
    '',
    'Options:',
    '  --port <n>               port on 127.0.0.1 (default: a free one)',
    "  --hsa-id <id>            the index's own id, the only LogicalAddress it accepts (default 5565594230)",
    "  --collect-window-ms <ms> imitate EI's collect window for single-record calls",
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string' },
        'hsa-id': { type: 'string' },
        'collect-window-ms': { type: 'string' },
      },
      strict: true,
    });
    const number = (name: string, raw: string | undefined, max: number) => {
      if (raw === undefined) return undefined;
      if (!/^\d+$/.test(raw) || Number(raw) > max)
        throw new CliError(`--${name} must be a whole number up to ${max}`, 2);
      return Number(raw);
    };
    const port = number('port', values.port, 65535);
    const collectWindowMs = number('collect-window-ms', values['collect-window-ms'], 60_000);
    // A dev tool: loaded only when asked for, so production paths never load it.
    const { runEiSimulatorCommand } = await import('../../dev/ei-simulator.ts');
    await runEiSimulatorCommand(
      {
        ...(port !== undefined ? { port } : {}),
        ...(values['hsa-id'] ? { hsaId: values['hsa-id'] } : {}),
        ...(collectWindowMs !== undefined ? { collectWindowMs } : {}),
      },
      io.out,
    );
    return 0;
  },
};
