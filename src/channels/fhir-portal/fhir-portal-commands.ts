/**
 * The FHIR portal channel's `tidbok` commands: `fhir-sim`, contributed to
 * the CLI by the channel module.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { CliError } from '../../cli/command.ts';
import type { Command } from '../../cli/command.ts';
import { runFhirSimulatorCommand } from '../../dev/fhir-simulator.ts';

/** The FHIR portal's `tidbok` commands. */
export function fhirPortalCommands(): Command[] {
  return [fhirSimCommand];
}

const fhirSimCommand: Command = {
  name: 'fhir-sim',
  usage:
    '[--port <n>] [--client-id <id>] [--client-secret <s>] [--organization <agb>] [--organization-header <name>]',
  summary:
    'Run a local FHIR patient portal (Spreekuur.nl rules) that prints each request, for tests and demos.',
  help: [
    'Takes PUT Appointment and POST Communication as Spreekuur.nl does: bearer token from its',
    'own client-credentials endpoint, the organisation header, application/fhir+json, FHIR R4',
    'invariants and the portal profile; refusals are answered with an OperationOutcome.',
    'Prints the SPREEKUUR_* settings to point tidbok at it, then one line per request, never',
    'a patient identifier. Stops on Ctrl-C.',
    '',
    'Options:',
    '  --port <n>                     port on 127.0.0.1 (default: a free one)',
    '  --client-id <id>               client the token endpoint accepts (default tidbok)',
    '  --client-secret <s>            its secret (default: a random one, printed)',
    '  --organization <agb>           the AGB code it serves (default 01234567)',
    '  --organization-header <name>   header naming it (default X-Organization-Identifier)',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        organization: { type: 'string' },
        'organization-header': { type: 'string' },
      },
      strict: true,
    });
    if (values.port !== undefined && !(/^\d+$/.test(values.port) && Number(values.port) <= 65535))
      throw new CliError('--port must be a whole number up to 65535', 2);
    if (values.organization !== undefined && !/^\d{8}$/.test(values.organization))
      throw new CliError('--organization must be an 8-digit AGB code', 2);
    await runFhirSimulatorCommand(
      {
        ...(values.port !== undefined ? { port: Number(values.port) } : {}),
        ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
        ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
        ...(values.organization ? { organization: values.organization } : {}),
        ...(values['organization-header']
          ? { organizationHeader: values['organization-header'] }
          : {}),
      },
      io.out,
    );
    return 0;
  },
};
