/**
 * `tidbok booking create|rebook|cancel|show`: staff act on a patient's behalf,
 * through the same rules and outbox as the SOAP operations and the admin API.
 */
import { parseArgs } from 'node:util';
import {
  bookForPatient,
  cancelForPatient,
  rebookForPatient,
  showBooking,
} from '../../staff/staff-booking.ts';
import {
  bookForPatientInput,
  cancelInput,
  readInput,
  rebookInput,
} from '../../staff/staff-inputs.ts';
import { CliError, type Command } from '../command.ts';
import { printBooking } from './booking-output.ts';
import {
  patientFromFlags,
  patientHelp,
  patientOptions,
  slotFromFlags,
  slotOptions,
} from './flags.ts';
import { dbHelp, dbOption, withServices } from './with-services.ts';

const slotHelp = [
  '  --slot <id>              the timeslot',
  '  --start <ts> --end <ts>  or the slot at these local times (yyyyMMddHHmmss)',
  "  --performer <hsa-id>     with --start/--end: this performer's slot",
];

export const bookingCreateCommand: Command = {
  name: 'booking create',
  usage:
    '(--slot <id> | --facility <hsa-id> --start <ts> --end <ts>) (--patient <pnr> | --patient - | --patient-file <file>) --first-name <n> --last-name <n> [options]',
  summary:
    'Book a slot for a patient (or book an open invitation) and report it to the engagement index.',
  help: [
    "Books a timeslot on a patient's behalf. Staff may book times that cannot be booked",
    'online. With --invitation, books that open invitation for its patient instead.',
    '',
    'Options:',
    "  --facility <hsa-id>      the unit (default: the slot's, or the invitation's)",
    ...patientHelp,
    '  --first-name, --last-name, --middle-name, --phone, --email',
    ...slotHelp,
    '  --invitation <id>        book this open invitation (patient and names from it)',
    "  --reason <text>          the patient's reason",
    '  --json                   print the booking as JSON',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        ...dbOption,
        ...patientOptions,
        ...slotOptions,
        facility: { type: 'string' },
        invitation: { type: 'string' },
        reason: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    const body = {
      facility: values.facility,
      invitationId: values.invitation,
      ...(await patientFromFlags(values, io)),
      ...slotFromFlags(values),
      reason: values.reason,
    };
    const view = await withServices(io, values.db, ({ service }) =>
      bookForPatient(service, readInput(bookForPatientInput, body)),
    );
    printBooking(io, 'Booked', view, values.json ?? false);
    return 0;
  },
};

export const bookingRebookCommand: Command = {
  name: 'booking rebook',
  usage: '<id> (--slot <id> | --start <ts> --end <ts>) [--facility <hsa-id>] [--json] [--db <url>]',
  summary: 'Move a booking or timed invitation to another slot.',
  help: [
    'Moves a booking (or a timed invitation, which then becomes a booking) to another',
    'free slot of its time type, at its own unit or a partner unit.',
    '',
    'Options:',
    ...slotHelp,
    "  --facility <hsa-id>      the unit to move to (default: the booking's own)",
    '  --json                   print the booking as JSON',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        ...dbOption,
        ...slotOptions,
        facility: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new CliError('give the booking id', 2);
    const body = { facility: values.facility, ...slotFromFlags(values) };
    const view = await withServices(io, values.db, ({ service }) =>
      rebookForPatient(service, positionals[0]!, readInput(rebookInput, body)),
    );
    printBooking(io, 'Rebooked', view, values.json ?? false);
    return 0;
  },
};

export const bookingCancelCommand: Command = {
  name: 'booking cancel',
  usage: '<id> [--message <text>] [--json] [--db <url>]',
  summary: 'Cancel a booking and delete it from the engagement index.',
  help: [
    "Cancels a booking on the patient's behalf (staff may cancel what the patient may",
    'not). Invitations are withdrawn with tidbok invitation withdraw.',
    '',
    'Options:',
    '  --message <text>  why, kept when the time type allows messages',
    '  --json            print the booking as JSON',
    dbHelp,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...dbOption, message: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new CliError('give the booking id', 2);
    const view = await withServices(io, values.db, ({ service }) =>
      cancelForPatient(
        service,
        positionals[0]!,
        readInput(cancelInput, { message: values.message }),
      ),
    );
    printBooking(io, 'Cancelled', view, values.json ?? false);
    return 0;
  },
};

export const bookingShowCommand: Command = {
  name: 'booking show',
  usage: '<id> [--json] [--db <url>]',
  summary: 'Show a booking or invitation (personnummer masked).',
  help: ['Options:', '  --json  print the booking as JSON', dbHelp].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...dbOption, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new CliError('give the booking id', 2);
    const view = await withServices(io, values.db, ({ service }) =>
      showBooking(service, positionals[0]!),
    );
    printBooking(io, 'Booking', view, values.json ?? false);
    return 0;
  },
};
