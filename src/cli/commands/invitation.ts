/**
 * `tidbok invitation create|withdraw`: staff invitations (kallelser), through
 * the same rules and outbox as the admin API.
 */
import { readFile } from 'node:fs/promises';
import { createInvitation, withdrawInvitation } from '../../staff/invitations.ts';
import { cancelInput, createInvitationInput, readInput } from '../../staff/staff-inputs.ts';
import { CliError } from '../command.ts';
import { bookingCommand, bookingIdCommand, messageOption } from './booking-command.ts';
import * as flags from './flags.ts';
import { withServices } from './with-services.ts';

export const invitationCreateCommand = bookingCommand({
  name: 'invitation create',
  usage:
    '--facility <hsa-id> (--patient <pnr> | --patient - | --patient-file <file>) --first-name <n> --last-name <n> ' +
    '(--purpose <text> | --purpose-file <file>) [--time-type <id>] [--slot <id> | --start <ts> --end <ts>] [options]',
  summary: 'Create an invitation (open, or timed on a slot) and report it to the engagement index.',
  about: [
    'Creates an invitation for a patient. Without a slot it is open: the patient books it',
    'online. With --slot (or --start/--end) it is timed on that slot.',
  ],
  options: {
    facility: { type: 'string', arg: 'hsa-id', help: 'the unit' },
    ...flags.patientOptions,
    'time-type': {
      type: 'string',
      arg: 'id',
      help: "required for an open invitation; a timed one takes the slot's",
    },
    'care-type': { type: 'string', arg: 'id', help: '' },
    purpose: {
      type: 'string',
      arg: 'text',
      help: 'the invitation text: plain, or DocBook 5 (an <article>)',
    },
    'purpose-file': { type: 'string', arg: 'file', help: 'read the invitation text from a file' },
    ...flags.slotOptions(
      'timed: this slot',
      'timed: the slot at these local times (yyyyMMddHHmmss)',
    ),
    expires: { type: 'string', arg: 'yyyyMMdd', help: 'last day an open invitation can be booked' },
    id: { type: 'string', arg: 'id', help: 'the invitation id (default: a new UUID)' },
  },
  shown: ['the invitation', 'Invitation created'],
  async act({ values }, io) {
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
    return withServices(io, values.db, ({ service }) =>
      createInvitation(service, readInput(createInvitationInput, body)),
    );
  },
});

export const invitationWithdrawCommand = bookingIdCommand({
  name: 'invitation withdraw',
  usage: '<id> [--message <text>] [--json] [--db <url>]',
  summary: 'Withdraw an invitation and delete it from the engagement index.',
  about: ['Withdraws an open or timed invitation (a timed one frees its slot).'],
  options: messageOption,
  missingId: 'give the invitation id',
  shown: ['the invitation', 'Invitation withdrawn'],
  act: ({ id, values }, io) =>
    withServices(io, values.db, ({ service }) =>
      withdrawInvitation(service, id, readInput(cancelInput, { message: values.message })),
    ),
});
