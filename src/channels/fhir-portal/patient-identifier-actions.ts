/**
 * What staff may do with a patient's other national identifiers (a Dutch
 * BSN for a portal that matches by it): record, remove and list them. Shared
 * by the admin API and the CLI; input is checked with zod, and no answer or
 * error ever shows a personnummer or an identifier in clear.
 *
 * @module
 */
import { z } from 'zod';
import { maskSubjectOfCare } from '../../domain/personnummer.ts';
import type { SchedulingService } from '../../domain/scheduling-service.ts';
import { checkIdentifierSystem, checkIdentifierValue } from '../../domain/patient-identifier.ts';
import { readInput, subjectOfCare } from '../../staff/staff-inputs.ts';
import { maskIdentifier } from './patient-identifier.ts';

const system = z
  .string({ error: 'is required' })
  .superRefine((value, ctx) => {
    const problem = checkIdentifierSystem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('The identifier system, e.g. http://fhir.nl/fhir/NamingSystem/bsn');

/** A patient, named in the body so the personnummer stays out of URLs and access logs. */
export const patientInput = z.object({ subjectOfCare }).meta({ id: 'Patient' });

/** A patient and one identifier system. */
export const patientSystemInput = z.object({ subjectOfCare, system }).meta({ id: 'PatientSystem' });

/** An identifier to record; a BSN must pass the elfproef (the domain's checks, as a calendar import's). */
export const patientIdentifierInput = z
  .object({ subjectOfCare, system, value: z.string({ error: 'is required' }) })
  .superRefine((input, ctx) => {
    const problem = checkIdentifierValue(input);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] });
  })
  .meta({ id: 'PatientIdentifier' });

/** A patient's identifiers as staff see them: personnummer and values masked. */
export const patientIdentifiersView = z
  .object({
    subjectOfCare: z.string().describe('Masked: the birth date only'),
    identifiers: z.array(z.string().describe('system|masked value')),
  })
  .meta({ id: 'PatientIdentifiers' });
export type PatientIdentifiersView = z.output<typeof patientIdentifiersView>;

async function view(service: SchedulingService, patient: string): Promise<PatientIdentifiersView> {
  const identifiers = await service.store.listPatientIdentifiers(patient);
  return {
    subjectOfCare: maskSubjectOfCare(patient),
    identifiers: identifiers.map((id) => `${id.system}|${maskIdentifier(id)}`),
  };
}

/** Records (or replaces) a patient's identifier in one system; answers what is recorded now. */
export async function recordPatientIdentifier(
  service: SchedulingService,
  input: unknown,
): Promise<PatientIdentifiersView> {
  const { subjectOfCare: patient, system: sys, value } = readInput(patientIdentifierInput, input);
  await service.store.transaction((tx) => tx.setPatientIdentifier(patient, { system: sys, value }));
  return view(service, patient);
}

/** Forgets a patient's identifier in one system; answers what is recorded now. */
export async function removePatientIdentifier(
  service: SchedulingService,
  input: unknown,
): Promise<PatientIdentifiersView> {
  const { subjectOfCare: patient, system: sys } = readInput(patientSystemInput, input);
  await service.store.transaction((tx) => tx.removePatientIdentifier(patient, sys));
  return view(service, patient);
}

/** What is recorded for a patient. */
export async function listPatientIdentifiers(
  service: SchedulingService,
  input: unknown,
): Promise<PatientIdentifiersView> {
  return view(service, readInput(patientInput, input).subjectOfCare);
}
