/**
 * What staff and operator actions take, as zod schemas: the admin API checks
 * untyped JSON against them, the CLI its flags (turned into the same shape),
 * and the OpenAPI document of the admin API is generated from them. The
 * actions themselves take the inferred types.
 *
 * Messages name the field and never quote its value, so a personnummer never
 * comes back in an error.
 *
 * @module
 */
import { z } from 'zod';
import { checkPurpose } from '../calendar/calendar-file.ts';
import { checkDt, checkTs } from '../domain/local-time.ts';
import { checkSubjectOfCareId, maskPersonIdsInText } from '../domain/personnummer.ts';
import { StaffActionError } from './staff-action-error.ts';

const MAX_TEXT = 200;
const MAX_ID = 128;
const MAX_MESSAGE = 1000;
const MAX_PURPOSE = 20_000;

/** A non-empty string of at most `max` characters. */
function text(max = MAX_TEXT) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .refine((value) => value.trim() !== '', 'must be a non-empty string')
    .refine((value) => value.length <= max, `is longer than ${max}`);
}

/** A string checked by one of the domain's checks, which say what is wrong without quoting it. */
function checkedText(check: (value: string) => string | undefined, max = MAX_TEXT) {
  return text(max).superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

export const subjectOfCare = checkedText(checkSubjectOfCareId).describe(
  'The personnummer (12 characters, yyyyMMddnnnn); never echoed',
);
const timestamp = checkedText(checkTs).describe('Local time, yyyyMMddHHmmss');
const date = checkedText(checkDt).describe('yyyyMMdd');
const purpose = checkedText((value) => {
  const problem = checkPurpose(value);
  return problem ? `is not usable: ${problem}` : undefined;
}, MAX_PURPOSE).describe('The invitation text: plain, or DocBook 5 (an <article>)');

const patient = z.object(
  {
    firstName: text(),
    lastName: text(),
    middleName: text().optional(),
    phone: text().optional(),
    email: text().optional(),
    address: text().optional(),
    coaddress: text().optional(),
  },
  {
    error: (issue) =>
      issue.input === undefined
        ? 'is required: { "firstName": …, "lastName": … }'
        : 'must be a JSON object',
  },
);

/** The fields naming one timeslot: `slotId`, or `start` and `end` (plus optional `performer`). */
const slotFields = {
  slotId: text(MAX_ID).optional(),
  start: timestamp.optional(),
  end: timestamp.optional(),
  performer: text().optional().describe("With start and end: this performer's slot"),
};

export type SlotChoice = { readonly slotId: string } | TimesChoice;
interface TimesChoice {
  readonly start: string;
  readonly end: string;
  readonly performer?: string;
}

type SlotFields = Partial<Record<'slotId' | 'start' | 'end' | 'performer', string>>;

/** The slot the fields name, or undefined when they name none. Assumes {@link checkSlotFields} passed. */
export function slotChoice(fields: SlotFields): SlotChoice | undefined {
  if (fields.slotId !== undefined) return { slotId: fields.slotId };
  if (fields.start === undefined || fields.end === undefined) return undefined;
  return {
    start: fields.start,
    end: fields.end,
    ...(fields.performer !== undefined ? { performer: fields.performer } : {}),
  };
}

function checkSlotFields(fields: SlotFields, ctx: z.RefinementCtx, required: boolean): void {
  const hasTimes = fields.start !== undefined || fields.end !== undefined;
  if (fields.slotId !== undefined && hasTimes)
    ctx.addIssue({ code: 'custom', message: 'give either slotId or start and end, not both' });
  else if (hasTimes && (fields.start === undefined || fields.end === undefined))
    ctx.addIssue({ code: 'custom', message: 'give both start and end (yyyyMMddHHmmss)' });
  else if (required && fields.slotId === undefined && !hasTimes)
    ctx.addIssue({ code: 'custom', message: 'give slotId, or start and end (yyyyMMddHHmmss)' });
}

const requestBody = { error: 'the request body must be a JSON object' };

/**
 * An invitation (kallelse): open, or timed on a slot (`slotId`, or
 * `start`/`end` at the facility); a timed one takes its time type from the
 * slot when none is given.
 */
export const createInvitationInput = z
  .object(
    {
      id: text(MAX_ID).optional().describe('The invitation id (default: a new UUID)'),
      facility: text(),
      subjectOfCare,
      patient,
      timeTypeId: text().optional().describe('Required for an open invitation'),
      careTypeId: text().optional(),
      purpose,
      expiresOn: date.optional().describe('Open invitations only: the last day it can be booked'),
      ...slotFields,
    },
    requestBody,
  )
  .superRefine((input, ctx) => {
    checkSlotFields(input, ctx, false);
    const timed = input.slotId !== undefined || input.start !== undefined;
    if (timed && input.expiresOn !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'only an open invitation has expiresOn; a timed one ends at its time',
      });
    if (!timed && input.timeTypeId === undefined)
      ctx.addIssue({ code: 'custom', message: 'timeTypeId is required for an open invitation' });
  })
  .meta({ id: 'CreateInvitation' });
export type CreateInvitationInput = z.output<typeof createInvitationInput>;

/**
 * A booking on a patient's behalf: of a slot for a patient, or of an open
 * invitation for its patient (`invitationId`).
 */
export const bookForPatientInput = z
  .object(
    {
      invitationId: text(MAX_ID).optional().describe('Book this open invitation for its patient'),
      facility: text().optional().describe("Default: the slot's, or the invitation's"),
      subjectOfCare: subjectOfCare.optional().describe('Required without invitationId'),
      patient: patient.optional().describe('Required without invitationId'),
      reason: text(MAX_MESSAGE).optional(),
      notification: text(MAX_MESSAGE).optional(),
      ...slotFields,
    },
    requestBody,
  )
  .superRefine((input, ctx) => {
    if (input.invitationId === undefined) {
      if (input.subjectOfCare === undefined)
        ctx.addIssue({ code: 'custom', path: ['subjectOfCare'], message: 'is required' });
      if (input.patient === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['patient'],
          message: 'is required: { "firstName": …, "lastName": … }',
        });
    }
    checkSlotFields(input, ctx, true);
  })
  .meta({ id: 'BookForPatient' });
export type BookForPatientInput = z.output<typeof bookForPatientInput>;

/** A move of a booking or timed invitation to another slot; the facility is the booking's own unless given. */
export const rebookInput = z
  .object(
    {
      facility: text().optional(),
      notification: text(MAX_MESSAGE).optional(),
      ...slotFields,
    },
    requestBody,
  )
  .superRefine((input, ctx) => checkSlotFields(input, ctx, true))
  .meta({ id: 'Rebook' });
export type RebookInput = z.output<typeof rebookInput>;

/** A cancellation or withdrawal, with the reason kept when the time type allows messages. */
export const cancelInput = z
  .object({ message: text(MAX_MESSAGE).optional() }, requestBody)
  .meta({ id: 'Cancel' });
export type CancelInput = z.output<typeof cancelInput>;

/**
 * A change of an invitation. The EI policy treats a changed invitation as a
 * new one: the answer is a new invitation with a new id, the old one withdrawn.
 */
export const changeInvitationInput = z
  .object(
    {
      purpose: purpose.optional(),
      timeTypeId: text().optional(),
      careTypeId: text().optional(),
      slotId: text(MAX_ID).optional(),
      expiresOn: date.optional(),
    },
    requestBody,
  )
  .meta({ id: 'ChangeInvitation' });
export type ChangeInvitationInput = z.output<typeof changeInvitationInput>;

/** Which dead letters go back to pending: one by id, or all. */
export const retryDeadLettersInput = z
  .union(
    [
      z.strictObject({ id: z.number().int().positive() }),
      z.strictObject({ allDead: z.literal(true) }),
    ],
    { error: 'give { "id": <dead letter id> } or { "allDead": true }' },
  )
  .meta({ id: 'RetryDeadLetters' });
export type RetryDeadLettersInput = z.output<typeof retryDeadLettersInput>;

/** One line per problem: the field's path, then what is wrong with it. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')} ${issue.message}` : issue.message,
    )
    .join('; ');
}

/**
 * Checks untyped input against a schema; every problem at once becomes an
 * `invalid` {@link StaffActionError} (person ids masked, should a message
 * ever hold one).
 */
export function readInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
): z.output<Schema> {
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw new StaffActionError('invalid', maskPersonIdsInText(describeIssues(result.error)));
  return result.data;
}
