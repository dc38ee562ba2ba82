/**
 * The FHIR portal channel's `tidbok` commands, contributed to the CLI by the
 * channel module: `patient identifier set|remove|list` (a patient's other
 * national identifiers, such as a BSN) and `fhir-sim`.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { CliError } from '../../cli/command.ts';
import type { Command } from '../../cli/command.ts';
import { dbHelp, dbOption } from '../../cli/commands/db-option.ts';
import { runFhirSimulatorCommand } from '../../dev/fhir-simulator.ts';
import type { OpenServices } from '../channel-module.ts';
import {
  listPatientIdentifiers,
  recordPatientIdentifier,
  removePatientIdentifier,
  type PatientIdentifiersView,
} from './patient-identifier-actions.ts';

/** The FHIR portal's `tidbok` commands. */
export function fhirPortalCommands(open: OpenServices): Command[] {
  return [
    identifierCommand(
      open,
      'set',
      '--system <uri> --value <id>',
      'Record a patient’s identifier in one system (e.g. a BSN).',
      recordPatientIdentifier,
    ),
    identifierCommand(
      open,
      'remove',
      '--system <uri>',
      'Forget a patient’s identifier in one system.',
      removePatientIdentifier,
    ),
    identifierCommand(
      open,
      'list',
      '',
      'List a patient’s recorded identifiers (masked).',
      listPatientIdentifiers,
    ),
    fhirSimCommand,
  ];
}

function identifierCommand(
  open: OpenServices,
  verb: 'set' | 'remove' | 'list',
  extraUsage: string,
  summary: string,
  action: typeof recordPatientIdentifier,
): Command {
  return {
    name: `patient identifier ${verb}`,
    usage: `--patient <personnummer> ${extraUsage}${extraUsage ? ' ' : ''}[--json] [--db <url>]`,
    summary,
    help: [
      summary,
      'Other national identifiers let a FHIR patient portal that matches patients by them',
      '(Spreekuur.nl: the BSN, http://fhir.nl/fhir/NamingSystem/bsn) serve the patient; see',
      'SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS. The answer masks the personnummer and the values.',
      '',
      'Options:',
      '  --patient <personnummer>  the patient (12 characters)',
      ...(verb === 'list'
        ? []
        : ['  --system <uri>            identifier system (urn:oid:… or http(s) URI)']),
      ...(verb === 'set'
        ? ['  --value <id>              the identifier (a BSN must pass the elfproef)']
        : []),
      '  --json                    print the answer as JSON',
      dbHelp,
    ].join('\n'),
    async run(args, io) {
      const { values } = parseArgs({
        args: [...args],
        options: {
          ...dbOption,
          patient: { type: 'string' },
          system: { type: 'string' },
          value: { type: 'string' },
          json: { type: 'boolean' },
        },
        strict: true,
      });
      if (!values.patient) throw new CliError('name the patient: --patient <personnummer>', 2);
      const input = {
        subjectOfCare: values.patient,
        ...(values.system !== undefined ? { system: values.system } : {}),
        ...(values.value !== undefined ? { value: values.value } : {}),
      };
      const answer: PatientIdentifiersView = await open(io, values.db, ({ service }) =>
        action(service, input),
      );
      if (values.json) io.out(JSON.stringify(answer));
      else {
        io.out(
          `${answer.subjectOfCare}: ${answer.identifiers.length} identifier${answer.identifiers.length === 1 ? '' : 's'}`,
        );
        for (const id of answer.identifiers) io.out(`  ${id}`);
      }
      return 0;
    },
  };
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
