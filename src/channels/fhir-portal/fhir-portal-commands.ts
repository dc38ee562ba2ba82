/**
 * The FHIR portal channel's `tidbok` commands, contributed to the CLI by the
 * channel module: `patient identifier set|remove|list` (a patient's other
 * national identifiers, such as a BSN) and `fhir-sim`.
 *
 * @module
 */
import { CliError } from '../../cli/command.ts';
import type { Command } from '../../cli/command.ts';
import { dbOption, jsonOption, printAnswer } from '../../cli/common-options.ts';
import { defineCommand } from '../../cli/define-command.ts';
import { simulatorCommand } from '../../cli/simulator-command.ts';
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
  return defineCommand({
    name: `patient identifier ${verb}`,
    usage: `--patient <personnummer> ${extraUsage}${extraUsage ? ' ' : ''}[--json] [--db <url>]`,
    summary,
    about: [
      summary,
      'Other national identifiers let a FHIR patient portal that matches patients by them',
      '(Spreekuur.nl: the BSN, http://fhir.nl/fhir/NamingSystem/bsn) serve the patient; see',
      'SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS. The answer masks the personnummer and the values.',
    ],
    options: {
      patient: {
        type: 'string',
        arg: 'personnummer',
        help: 'the patient (12 characters)',
        required: 'name the patient: --patient <personnummer>',
      },
      // `list` takes no system or value but, as before, does not refuse them.
      system: {
        type: 'string',
        arg: 'uri',
        ...(verb === 'list' ? {} : { help: 'identifier system (urn:oid:… or http(s) URI)' }),
      },
      value: {
        type: 'string',
        arg: 'id',
        ...(verb === 'set' ? { help: 'the identifier (a BSN must pass the elfproef)' } : {}),
      },
      ...jsonOption('the answer'),
      ...dbOption,
    },
    async run({ values }, io) {
      // The action checks its input (zod); an absent option is an absent field.
      const input = { subjectOfCare: values.patient, system: values.system, value: values.value };
      const answer: PatientIdentifiersView = await open(io, values.db, ({ service }) =>
        action(service, input),
      );
      printAnswer(io, values.json, answer, (a) => [
        `${a.subjectOfCare}: ${a.identifiers.length} identifier${a.identifiers.length === 1 ? '' : 's'}`,
        ...a.identifiers.map((id) => `  ${id}`),
      ]);
      return 0;
    },
  });
}

const fhirSimCommand = simulatorCommand({
  name: 'fhir-sim',
  usage:
    '[--port <n>] [--client-id <id>] [--client-secret <s>] [--organization <agb>] [--organization-header <name>]',
  summary:
    'Run a local FHIR patient portal (Spreekuur.nl rules) that prints each request, for tests and demos.',
  about: [
    'Takes PUT Appointment and POST Communication as Spreekuur.nl does: bearer token from its',
    'own client-credentials endpoint, the organisation header, application/fhir+json, FHIR R4',
    'invariants and the portal profile; refusals are answered with an OperationOutcome.',
    'Prints the SPREEKUUR_* settings to point tidbok at it, then one line per request, never',
    'a patient identifier. Stops on Ctrl-C.',
  ],
  options: {
    'client-id': {
      type: 'string',
      arg: 'id',
      help: 'client the token endpoint accepts (default tidbok)',
    },
    'client-secret': {
      type: 'string',
      arg: 's',
      help: 'its secret (default: a random one, printed)',
    },
    organization: {
      type: 'string',
      arg: 'agb',
      help: 'the AGB code it serves (default 01234567)',
      parse: (raw, flag) => {
        if (!/^\d{8}$/.test(raw)) throw new CliError(`${flag} must be an 8-digit AGB code`, 2);
        return raw;
      },
    },
    'organization-header': {
      type: 'string',
      arg: 'name',
      help: 'header naming it (default X-Organization-Identifier)',
    },
  },
  serve: runFhirSimulatorCommand,
});
