/** Flags shared by the booking and invitation commands, turned into the admin API's JSON shape. */
import { readFile } from 'node:fs/promises';
import { CliError, type CliIo } from '../command.ts';

export const patientOptions = {
  patient: {
    type: 'string',
    arg: 'pnr',
    help: [
      'the patient (12 characters, yyyyMMddnnnn); other local users can',
      'read it in /proc/<pid>/cmdline while the command runs, so prefer:',
    ],
    also: [['--patient -', 'read the personnummer from standard input']],
  },
  'patient-file': {
    type: 'string',
    arg: 'file',
    help: 'read the personnummer from a file (first line)',
  },
  'first-name': {
    type: 'string',
    label: '--first-name, --last-name, --middle-name, --phone, --email',
    help: '',
  },
  'middle-name': { type: 'string' },
  'last-name': { type: 'string' },
  phone: { type: 'string' },
  email: { type: 'string' },
} as const;

/** The slot flags; `slot` and `at` word their help for the command. */
export const slotOptions = (slot: string, at: string) =>
  ({
    slot: { type: 'string', arg: 'id', help: slot },
    start: { type: 'string', label: '--start <ts> --end <ts>', help: at },
    end: { type: 'string' },
    performer: { type: 'string', arg: 'hsa-id', help: "with --start/--end: this performer's slot" },
  }) as const;

type Values = Record<string, string | boolean | undefined>;

const text = (v: Values, name: string) => {
  const value = v[name];
  return typeof value === 'string' ? value : undefined;
};

async function readStdin(io: CliIo): Promise<string> {
  if (io.stdin) return io.stdin();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The personnummer from --patient <pnr>, --patient - (standard input) or --patient-file. */
async function patientId(v: Values, io: CliIo): Promise<string | undefined> {
  const given = text(v, 'patient');
  const file = text(v, 'patient-file');
  if (given !== undefined && file !== undefined)
    throw new CliError('give --patient or --patient-file, not both', 2);
  let read: string;
  if (file !== undefined)
    read = await readFile(file, 'utf8').catch(() => {
      throw new CliError(`cannot read ${file}`);
    });
  else if (given === '-') read = await readStdin(io);
  else return given;
  // The first line, without the line end; never quoted in an error.
  return read.split(/\r?\n/, 1)[0]!.trim();
}

/** `{ subjectOfCare, patient }` from the patient and name flags; absent flags stay absent. */
export async function patientFromFlags(v: Values, io: CliIo): Promise<Record<string, unknown>> {
  const names = ['first-name', 'middle-name', 'last-name', 'phone', 'email'];
  const anyName = names.some((n) => text(v, n) !== undefined);
  return {
    subjectOfCare: await patientId(v, io),
    ...(anyName
      ? {
          patient: {
            firstName: text(v, 'first-name'),
            middleName: text(v, 'middle-name'),
            lastName: text(v, 'last-name'),
            phone: text(v, 'phone'),
            email: text(v, 'email'),
          },
        }
      : {}),
  };
}

/** `{ slotId }` or `{ start, end, performer }` from the slot flags. */
export function slotFromFlags(v: Values): Record<string, unknown> {
  return {
    slotId: text(v, 'slot'),
    start: text(v, 'start'),
    end: text(v, 'end'),
    performer: text(v, 'performer'),
  };
}
