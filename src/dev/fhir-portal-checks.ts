/**
 * What the FHIR portal simulator checks in a request body, the way
 * Spreekuur.nl does (channels.md §2, issue 14): the FHIR R4 invariants every
 * resource must keep, then the portal's own profile of `Appointment` and
 * `Communication` (required elements, allowed values, limits). Each problem
 * becomes one `OperationOutcome` issue.
 *
 * @module
 */
import { z } from 'zod';
import { BSN_SYSTEM, isBsn } from '../channels/fhir-portal/patient-identifier.ts';

/** One problem with a resource, as an `OperationOutcome` issue reports it. */
export interface FhirIssue {
  readonly code: 'invalid' | 'required' | 'value' | 'structure' | 'not-supported';
  readonly diagnostics: string;
  /** FHIRPath-like location, e.g. `Communication.payload[0]`. */
  readonly expression: string;
}

/** The `OperationOutcome` the portal answers a refused request with. */
export function operationOutcome(issues: readonly FhirIssue[]): unknown {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: 'error',
      code: i.code,
      diagnostics: i.diagnostics,
      expression: [i.expression],
    })),
  };
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const INSTANT =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;

/** ele-1: no `null`, empty string, empty array or empty object anywhere. */
function emptyValues(value: unknown, path: string, out: FhirIssue[]): void {
  if (value === null) {
    out.push({
      code: 'structure',
      diagnostics: 'null is not allowed in FHIR JSON',
      expression: path,
    });
  } else if (typeof value === 'string') {
    if (value === '')
      out.push({ code: 'structure', diagnostics: 'empty string (ele-1)', expression: path });
  } else if (Array.isArray(value)) {
    if (value.length === 0)
      out.push({ code: 'structure', diagnostics: 'empty array (ele-1)', expression: path });
    value.forEach((item, i) => emptyValues(item, `${path}[${i}]`, out));
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0)
      out.push({ code: 'structure', diagnostics: 'empty object (ele-1)', expression: path });
    for (const [key, item] of entries) emptyValues(item, `${path}.${key}`, out);
  }
}

/** Every `reference` string anywhere in the value, with its path. */
function references(value: unknown, path: string, out: [string, string][]): void {
  if (Array.isArray(value)) value.forEach((item, i) => references(item, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'reference' && typeof item === 'string') out.push([item, `${path}.reference`]);
      else references(item, `${path}.${key}`, out);
    }
}

type Json = Record<string, unknown>;

/** dom-2..5 and ref-1: contained resources flat, referenced, unversioned; local references resolve. */
function containedRules(resource: Json, type: string, out: FhirIssue[]): void {
  const contained = Array.isArray(resource['contained']) ? (resource['contained'] as Json[]) : [];
  const refs: [string, string][] = [];
  const rest: Json = { ...resource };
  delete rest['contained'];
  references(rest, type, refs);
  const ids = new Set<string>();
  contained.forEach((c, i) => {
    const where = `${type}.contained[${i}]`;
    if (typeof c !== 'object' || c === null || typeof c['resourceType'] !== 'string') {
      out.push({ code: 'structure', diagnostics: 'not a resource', expression: where });
      return;
    }
    if (typeof c['id'] !== 'string' || !FHIR_ID.test(c['id']))
      out.push({
        code: 'required',
        diagnostics: 'a contained resource needs an id',
        expression: where,
      });
    else ids.add(c['id']);
    if (c['contained'] !== undefined)
      out.push({
        code: 'structure',
        diagnostics: 'contained resources must not contain (dom-2)',
        expression: where,
      });
    const meta = c['meta'] as Json | undefined;
    if (meta?.['versionId'] !== undefined || meta?.['lastUpdated'] !== undefined)
      out.push({
        code: 'structure',
        diagnostics: 'no versionId/lastUpdated in contained (dom-4)',
        expression: where,
      });
    if (meta?.['security'] !== undefined)
      out.push({
        code: 'structure',
        diagnostics: 'no security labels in contained (dom-5)',
        expression: where,
      });
    references(c, where, refs);
  });
  for (const id of ids)
    if (!refs.some(([ref]) => ref === `#${id}`))
      out.push({
        code: 'structure',
        diagnostics: `contained resource ${id} is not referenced with #${id} (dom-3)`,
        expression: `${type}.contained`,
      });
  for (const [ref, where] of refs)
    if (ref.startsWith('#') && !ids.has(ref.slice(1)))
      out.push({
        code: 'structure',
        diagnostics: `local reference ${ref} does not resolve (ref-1)`,
        expression: where,
      });
}

const coding = z.looseObject({
  system: z.string().min(1),
  code: z.string().min(1),
  display: z.string().min(1),
});

const identifier = z.looseObject({ system: z.string().min(1), value: z.string().min(1) });

/** Spreekuur.nl's Appointment profile (`appointment-update-spreekuur.yaml`) plus FHIR's own rules. */
const appointmentProfile = z.looseObject({
  resourceType: z.literal('Appointment'),
  id: z.string().regex(FHIR_ID),
  status: z.enum(['booked', 'cancelled']),
  start: z.string().regex(INSTANT, 'a FHIR instant with a time zone'),
  end: z.string().regex(INSTANT, 'a FHIR instant with a time zone'),
  comment: z.string().optional(),
  serviceCategory: z.array(z.looseObject({ coding: z.array(coding).min(1) })).min(1),
  participant: z
    .array(
      z.looseObject({
        actor: z.looseObject({
          reference: z.string().min(1),
          display: z.string().optional(),
          identifier: identifier.optional(),
        }),
        status: z.literal('accepted'),
      }),
    )
    .min(1),
});

const attachment = z.looseObject({
  data: z.string().min(1),
  contentType: z.enum([
    'application/pdf',
    'image/jpeg',
    'image/png',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ]),
  title: z.string().min(1),
});

const CONTENT_KEYS = ['contentString', 'contentAttachment', 'contentReference'] as const;

/** Spreekuur.nl's `melding` Communication (`notification-spreekuur.yaml`). */
const communicationProfile = z.looseObject({
  resourceType: z.literal('Communication'),
  status: z.literal('completed'),
  contained: z.array(z.looseObject({ resourceType: z.string(), id: z.string() })).min(1),
  category: z
    .array(z.looseObject({ coding: z.array(z.looseObject({ code: z.string() })).min(1) }))
    .min(1)
    .refine((c) => c.some((cat) => cat.coding.some((code) => code.code === 'melding')), {
      message: "the category must have code 'melding'",
    }),
  topic: z.looseObject({ text: z.string().min(1).max(500) }),
  recipient: z.array(z.looseObject({ reference: z.string().min(1) })).min(1),
  payload: z
    .array(
      z
        .looseObject({
          contentString: z.string().min(1).max(10_000).optional(),
          contentAttachment: attachment.optional(),
        })
        .refine((p) => CONTENT_KEYS.filter((k) => k in p).length === 1, {
          message: 'each payload entry has exactly one content[x]',
        }),
    )
    .min(1)
    .refine((p) => p.filter((e) => e.contentString !== undefined).length === 1, {
      message: 'exactly one payload.contentString',
    })
    .refine((p) => p.filter((e) => e.contentAttachment !== undefined).length <= 5, {
      message: 'at most 5 payload.contentAttachment',
    }),
});

function profileIssues(result: z.ZodSafeParseResult<unknown>, type: string): FhirIssue[] {
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    code: issue.code === 'invalid_type' && issue.input === undefined ? 'required' : 'invalid',
    diagnostics: issue.message,
    expression: [type, ...issue.path.map(String)].join('.'),
  }));
}

/** The patient identifier is from an accepted system, and a BSN is a real one. */
function patientIdentifierIssues(
  found: { system: string; value: string } | undefined,
  accepted: readonly string[],
  where: string,
): FhirIssue[] {
  if (!found || !accepted.includes(found.system))
    return [
      {
        code: 'required',
        diagnostics: `no patient identifier of an accepted system (${accepted.join(', ')})`,
        expression: where,
      },
    ];
  if (found.system === BSN_SYSTEM && !isBsn(found.value))
    return [{ code: 'value', diagnostics: 'the BSN fails the elfproef', expression: where }];
  return [];
}

/**
 * The checks every resource gets (FHIR invariants, then the profile), and
 * the profile's reading of it when it passed.
 */
function checkResource<T>(
  body: unknown,
  type: 'Appointment' | 'Communication',
  profile: z.ZodType<T>,
): { issues: FhirIssue[]; resource: T | undefined } {
  const issues: FhirIssue[] = [];
  emptyValues(body, type, issues);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    issues.push({ code: 'structure', diagnostics: 'the body is not a resource', expression: type });
    return { issues, resource: undefined };
  }
  containedRules(body as Json, type, issues);
  const parsed = profile.safeParse(body);
  issues.push(...profileIssues(parsed, type));
  return { issues, resource: parsed.success ? parsed.data : undefined };
}

/** Problems with a PUT Appointment body; `pathId` is the id in the URL. */
export function checkAppointment(
  body: unknown,
  pathId: string,
  acceptedSystems: readonly string[],
): FhirIssue[] {
  const { issues: out, resource: a } = checkResource(body, 'Appointment', appointmentProfile);
  if (!a) return out;
  if (a.id !== pathId)
    out.push({
      code: 'invalid',
      diagnostics: 'the id in the body differs from the id in the URL',
      expression: 'Appointment.id',
    });
  if (Date.parse(a.start) > Date.parse(a.end))
    out.push({
      code: 'invalid',
      diagnostics: 'start must not be after end (app-2)',
      expression: 'Appointment.start',
    });
  const patient = a.participant.find(
    (p) => p.actor.identifier && acceptedSystems.includes(p.actor.identifier.system),
  );
  out.push(
    ...patientIdentifierIssues(
      patient?.actor.identifier,
      acceptedSystems,
      'Appointment.participant',
    ),
  );
  return out;
}

/** Problems with a POST Communication body. */
export function checkCommunication(body: unknown, acceptedSystems: readonly string[]): FhirIssue[] {
  const { issues: out, resource: c } = checkResource(body, 'Communication', communicationProfile);
  if (!c) return out;
  const ref = c.recipient[0]!.reference;
  const patient = c.contained.find((r) => `#${r.id}` === ref && r.resourceType === 'Patient');
  const identifiers = z.array(identifier).safeParse(patient?.['identifier']);
  const found = identifiers.success
    ? identifiers.data.find((i) => acceptedSystems.includes(i.system))
    : undefined;
  out.push(...patientIdentifierIssues(found, acceptedSystems, 'Communication.recipient'));
  return out;
}
