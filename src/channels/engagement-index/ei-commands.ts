/**
 * `tidbok ei reload` and `tidbok ei-sim`: the engagement index from the
 * operator's side, contributed to the CLI by the channel module.
 *
 * @module
 */
import { CliError, type Command } from '../../cli/command.ts';
import { dbOption, jsonOption, printAnswer, wholeNumber } from '../../cli/common-options.ts';
import { defineCommand } from '../../cli/define-command.ts';
import { simulatorCommand } from '../../cli/simulator-command.ts';
import { configOf, type ChannelModule, type OpenServices } from '../channel-module.ts';
import type { EiConfig } from './engagement-mapping.ts';
import { reloadFacility, type ReloadReport } from './engagement-reload.ts';

/**
 * The engagement index's `tidbok` commands.
 *
 * @param open - opens the services the server uses (the CLI's `withServices`)
 * @param module - the engagement-index module, to find its configuration among the enabled channels
 */
export function eiCommands(open: OpenServices, module: ChannelModule<EiConfig>): Command[] {
  return [eiReloadCommand(open, module), eiSimCommand];
}

const eiReloadCommand = (open: OpenServices, module: ChannelModule<EiConfig>): Command =>
  defineCommand({
    name: 'ei reload',
    usage: '--facility <hsa-id> [--json] [--db <url>]',
    summary: 'Re-send every current booking and invitation of a unit to the engagement index.',
    about: [
      'Queues an upsert for every active booking still to come and every current invitation',
      'of the unit (policy: the producer must be able to reload EI on demand). The running',
      'server delivers them, at most 1000 per Update call. For a unit not enabled for web',
      'booking it queues a delete of each instead: EI holds nothing of such a unit.',
    ],
    options: {
      facility: {
        type: 'string',
        arg: 'hsa-id',
        help: 'the unit',
        required: 'name the unit: --facility <hsa-id>',
      },
      ...jsonOption('the report'),
      ...dbOption,
    },
    async run({ values }, io) {
      const report = await open(io, values.db, async ({ store, channels }) => {
        const ei = configOf(channels, module);
        if (!ei) throw new CliError('engagement-index reporting is not configured here');
        return reloadFacility(store, values.facility, ei);
      });
      printAnswer(io, values.json, report, describeReload);
      return 0;
    },
  });

function describeReload(report: ReloadReport): string[] {
  const deletes = report.queued === 'delete';
  return [
    `Queued ${report.engagements} ${deletes ? 'delete' : 'engagement'}${report.engagements === 1 ? '' : 's'} of ${report.facility} for the engagement index (${report.transactions} batch${report.transactions === 1 ? '' : 'es'})${deletes ? ': the unit is not enabled for web booking, so EI lets go of its engagements' : ''}.`,
  ];
}

const eiSimCommand = simulatorCommand({
  name: 'ei-sim',
  usage: '[--port <n>] [--hsa-id <id>] [--collect-window-ms <ms>]',
  summary: 'Run a local engagement index (Update) that prints each call, for tests and demos.',
  about: [
    'Validates Update calls as the national EI does (EI000-EI006, correlation header) and',
    'prints one line per call, never a person id. Point EI_URL at the address it prints.',
    'Stops on Ctrl-C.',
  ],
  options: {
    'hsa-id': {
      type: 'string',
      arg: 'id',
      help: "the index's own id, the only LogicalAddress it accepts (default 5565594230)",
    },
    'collect-window-ms': {
      type: 'string',
      arg: 'ms',
      help: "imitate EI's collect window for single-record calls",
      parse: wholeNumber(60_000),
    },
  },
  async serve(settings, out) {
    // A dev tool: loaded only when asked for, so production paths never load it.
    const { runEiSimulatorCommand } = await import('../../dev/ei-simulator.ts');
    await runEiSimulatorCommand(settings, out);
  },
});
