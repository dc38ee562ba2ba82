/**
 * Form fields the console's forms share, as zod schemas: what a browser
 * posts is text, so blanks and personnummer spellings are normalised here
 * before the staff services' own input schemas check the values.
 */
import { z } from 'zod';

/** A text field where blank means "not given". */
export const optionalText = z
  .string()
  .transform((v) => v.trim())
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** The patient part of a form: the personnummer as typed (spaces and dashes dropped) and the names. */
export const patientFields = {
  subjectOfCare: z.string().transform((v) => v.replace(/[\s-]/g, '')),
  firstName: z.string(),
  lastName: z.string(),
};
