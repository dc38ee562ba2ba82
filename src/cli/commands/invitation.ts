/**
 * `tidbok invitation create|withdraw`: staff invitations (kallelser), through
 * the same rules and outbox as the admin API.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createInvitation, withdrawInvitation } from '../../staff/invitations.ts';
import { cancelInput, createInvitationInput, readInput } from '../../staff/staff-inputs.ts';
import { CliError, type Command } from '../command.ts';
import { printBooking } from './booking-output.ts';
import * as flags from './flags.ts';
import { dbHelp, dbOption, withServices } from './with-services.ts';

export const invitationCreateCommand: Command = {
  name: 'invitation create',
  usage:
    '--facility <hsa-id> (--patient <pnr> | --patient - | --patient-file <file>) --first-name <n> --last-name <n> ' +
    '(--purpose <text> | --purpose-file <file>) [--time-type <id>] [--slot <id> | --start <ts> --end <ts>] [options]',
  summary: 'Create an invitation (open, or timed on a slot) and report it to the engagement index.',
  help: [
    'Creates an invitation for a patient. Without a slot it is open: the patient books it',
    'online. With --slot (or --start/--end) it is timed on that slot.',
    '',
    'Options:',
    '  --facility <hsa-id>      the unit',
    ...flags.patientHelp,
    '  --first-name, --last-name, --middle-name, --phone, --email',
    "  --time-type <id>         required for an open invitation; a timed one takes the slot's",
    '  --care-type <id>',
    '  --purpose <text>         the invitation text: plain, or DocBook 5 (an <article>)',
    '  --purpose-file <file>    read the invitation text from a file',
    '  --slot <id>              timed: this slot',
    '  --start <ts> --end <ts>  timed: the slot at these local times (yyyyMMddHHmmss)',
    "  --performer <hsa-id>     with --start/--end: this performer's slot",
    '  --expires <yyyyMMdd>     last day an open invitation can be booked',
    '  --id <id>                the invitation id (default: a new UUID)',
    '  --json                   print the invitation as JSON',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        ...dbOption,
        ...flags.patientOptions,
        ...flags.slotOptions,
        facility: { type: 'string' },
        'time-type': { type: 'string' },
        'care-type': { type: 'string' },
        purpose: { type: 'string' },
        'purpose-file': { type: 'string' },
        expires: { type: 'string' },
        id: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if (values.purpose !== undefined && values['purpose-file'] !== undefined)
      throw new CliError('give --purpose or --purpose-file, not both', 2);
    const purpose =
      values['purpose-file'] !== undefined
        ? await readFile(values['purpose-file'], 'utf8').catch(() => {
            throw new CliError(`cannot read ${values['purpose-file']}`);
          })
        : values.purpose;
    const body = {
      facility: values.facility,
      ...(await flags.patientFromFlags(values, io)),
      timeTypeId: values['time-type'],
      careTypeId: values['care-type'],
      purpose,
      ...flags.slotFromFlags(values),
      expiresOn: values.expires,
      id: values.id,
    };
    const view = await withServices(io, values.db, ({ service }) =>
      createInvitation(service, readInput(createInvitationInput, body)),
    );
    printBooking(io, 'Invitation created', view, values.json ?? false);
    return 0;
  },
};

export const invitationWithdrawCommand: Command = {
  name: 'invitation withdraw',
  usage: '<id> [--message <text>] [--json] [--db <url>]',
  summary: 'Withdraw an invitation and delete it from the engagement index.',
  help: [
    'Withdraws an open or timed invitation (a timed one frees its slot).',
    '',
    'Options:',
    '  --message <text>  why, kept when the time type allows messages',
    '  --json            print the invitation as JSON',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...dbOption, message: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new CliError('give the invitation id', 2);
    const view = await withServices(io, values.db, ({ service }) =>
      withdrawInvitation(
        service,
        positionals[0]!,
        readInput(cancelInput, { message: values.message }),
      ),
    );
    printBooking(io, 'Invitation withdrawn', view, values.json ?? false);
    return 0;
  },
};
