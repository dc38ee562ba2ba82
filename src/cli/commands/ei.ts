/** `tidbok ei reload` and `tidbok ei-sim`: the engagement index from the operator's side. */
import { parseArgs } from 'node:util';
import { reloadFacility } from '../../staff/operator-actions.ts';
import { runEiSimulatorCommand } from '../../channels/engagement-index/ei-simulator.ts';
import { CliError, type Command } from '../command.ts';
import { dbHelp, dbOption, withServices } from './with-services.ts';

export const eiReloadCommand: Command = {
  name: 'ei reload',
  usage: '--facility <hsa-id> [--json] [--db <url>]',
  summary: 'Re-send every current booking and invitation of a unit to the engagement index.',
  help: [
    'Queues an upsert for every active booking still to come and every current invitation',
    'of the unit (policy: the producer must be able to reload EI on demand). The running',
    'server delivers them, at most 1000 per Update call. Only units enabled for web',
    'booking can be reloaded.',
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
    const report = await withServices(io, values.db, ({ store, ei }) =>
      reloadFacility(store, facility, ei, Date.now),
    );
    if (values.json) io.out(JSON.stringify(report));
    else
      io.out(
        `Queued ${report.engagements} engagement${report.engagements === 1 ? '' : 's'} of ${report.facility} for the engagement index (${report.transactions} batch${report.transactions === 1 ? '' : 'es'}).`,
      );
    return 0;
  },
};

export const eiSimCommand: Command = {
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
