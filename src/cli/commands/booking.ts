/**
 * `tidbok booking create|rebook|cancel|show`: staff act on a patient's behalf,
 * through the same rules and outbox as the SOAP operations and the admin API.
 */
import * as staff from '../../staff/staff-booking.ts';
import * as inputs from '../../staff/staff-inputs.ts';
import { bookingCommand, bookingIdCommand, messageOption } from './booking-command.ts';
import { patientFromFlags, patientOptions, slotFromFlags, slotOptions } from './flags.ts';
import { withServices } from './with-services.ts';

const bookingSlotOptions = slotOptions(
  'the timeslot',
  'or the slot at these local times (yyyyMMddHHmmss)',
);

export const bookingCreateCommand = bookingCommand({
  name: 'booking create',
  usage:
    '(--slot <id> | --facility <hsa-id> --start <ts> --end <ts>) (--patient <pnr> | --patient - | --patient-file <file>) --first-name <n> --last-name <n> [options]',
  summary:
    'Book a slot for a patient (or book an open invitation) and report it to the engagement index.',
  about: [
    "Books a timeslot on a patient's behalf. Staff may book times that cannot be booked",
    'online. With --invitation, books that open invitation for its patient instead.',
  ],
  options: {
    facility: {
      type: 'string',
      arg: 'hsa-id',
      help: "the unit (default: the slot's, or the invitation's)",
    },
    ...patientOptions,
    ...bookingSlotOptions,
    invitation: {
      type: 'string',
      arg: 'id',
      help: 'book this open invitation (patient and names from it)',
    },
    reason: { type: 'string', arg: 'text', help: "the patient's reason" },
  },
  shown: ['the booking', 'Booked'],
  async act({ values }, io) {
    const body = {
      facility: values.facility,
      invitationId: values.invitation,
      ...(await patientFromFlags(values, io)),
      ...slotFromFlags(values),
      reason: values.reason,
    };
    return withServices(io, values.db, ({ service }) =>
      staff.bookForPatient(service, inputs.readInput(inputs.bookForPatientInput, body)),
    );
  },
});

export const bookingRebookCommand = bookingIdCommand({
  name: 'booking rebook',
  usage: '<id> (--slot <id> | --start <ts> --end <ts>) [--facility <hsa-id>] [--json] [--db <url>]',
  summary: 'Move a booking or timed invitation to another slot.',
  about: [
    'Moves a booking (or a timed invitation, which then becomes a booking) to another',
    'free slot of its time type, at its own unit or a partner unit.',
  ],
  options: {
    ...bookingSlotOptions,
    facility: {
      type: 'string',
      arg: 'hsa-id',
      help: "the unit to move to (default: the booking's own)",
    },
  },
  missingId: 'give the booking id',
  shown: ['the booking', 'Rebooked'],
  act: ({ id, values }, io) => {
    const body = { facility: values.facility, ...slotFromFlags(values) };
    return withServices(io, values.db, ({ service }) =>
      staff.rebookForPatient(service, id, inputs.readInput(inputs.rebookInput, body)),
    );
  },
});

export const bookingCancelCommand = bookingIdCommand({
  name: 'booking cancel',
  usage: '<id> [--message <text>] [--json] [--db <url>]',
  summary: 'Cancel a booking and delete it from the engagement index.',
  about: [
    "Cancels a booking on the patient's behalf (staff may cancel what the patient may",
    'not). Invitations are withdrawn with tidbok invitation withdraw.',
  ],
  options: messageOption,
  missingId: 'give the booking id',
  shown: ['the booking', 'Cancelled'],
  act: ({ id, values }, io) =>
    withServices(io, values.db, ({ service }) =>
      staff.cancelForPatient(
        service,
        id,
        inputs.readInput(inputs.cancelInput, { message: values.message }),
      ),
    ),
});

export const bookingShowCommand = bookingIdCommand({
  name: 'booking show',
  usage: '<id> [--json] [--db <url>]',
  summary: 'Show a booking or invitation (personnummer masked).',
  options: {},
  missingId: 'give the booking id',
  shown: ['the booking', 'Booking'],
  act: ({ id, values }, io) =>
    withServices(io, values.db, ({ service }) => staff.showBooking(service, id)),
});
