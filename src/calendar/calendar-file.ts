/**
 * The JSON file in which a care provider describes its calendar (documented
 * in docs/calendar-format.md), and the checks that make it safe to expand
 * and import. Parsing collects every problem with its JSON path instead of
 * stopping at the first, so staff can fix a file in one go.
 *
 * @module
 */
import { checkDt, checkTs, isInDstGap } from '../domain/local-time.ts';
import { checkPurpose } from '../domain/invitation-text.ts';
import { checkIdentifierSystem, checkIdentifierValue } from '../domain/patient-identifier.ts';
import { checkSubjectOfCareId } from '../domain/personnummer.ts';
import type {
  PatientIdentifier,
  PostalAddress,
  TimeType,
  TimeTypeAudience,
} from '../domain/types.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface CalendarFile {
  /** Format version; only 1 exists. */
  readonly version: 1;
  readonly facilities: readonly FacilityEntry[];
  /** Patients' other national identifiers (a BSN for a FHIR portal); empty when the file has none. */
  readonly patients: readonly PatientEntry[];
}

/** A patient's identifiers besides the personnummer, one per system. */
export interface PatientEntry {
  readonly subjectOfCare: string;
  readonly identifiers: readonly PatientIdentifier[];
}

export interface FacilityEntry {
  readonly hsaId: string;
  readonly name: string;
  /** Where patients go (Kivra letters show it). */
  readonly postalAddress?: PostalAddress;
  readonly webBookingEnabled: boolean;
  readonly partnerFacilities: readonly string[];
  readonly careTypes: readonly CareTypeEntry[];
  readonly timeTypes: readonly TimeTypeEntry[];
  readonly performers: readonly PerformerEntry[];
  readonly resources: readonly ResourceEntry[];
  readonly schedules: readonly ScheduleEntry[];
  readonly timeslots: readonly TimeslotEntry[];
  readonly invitations: readonly InvitationEntry[];
}

export interface CareTypeEntry {
  readonly id: string;
  readonly name: string;
}

/** A time type as the file gives it: the domain's, within its facility. */
export type TimeTypeEntry = Omit<TimeType, 'facility'>;

export interface PerformerEntry {
  readonly hsaId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly title?: string;
}

export interface ResourceEntry {
  readonly id: string;
  readonly name: string;
}

/** A weekly opening template, expanded into timeslots by `expandCalendar`. */
export interface ScheduleEntry {
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  /** The performer's HSA-id as declared in `performers` (references match case-insensitively). */
  readonly performer?: string;
  readonly resourceId?: string;
  readonly weekdays: readonly Weekday[];
  /** Local wall-clock time `HH:mm`. */
  readonly from: string;
  readonly to: string;
  readonly slotMinutes: number;
  readonly validFrom?: string;
  readonly validTo?: string;
}

/** One timeslot given explicitly. */
export interface TimeslotEntry {
  readonly id?: string;
  readonly start: string;
  readonly end: string;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  readonly performer?: string;
  readonly resourceId?: string;
}

/** An invitation (kallelse): open when it has no start/end, timed when it has both. */
export interface InvitationEntry {
  readonly id: string;
  readonly subjectOfCare: string;
  readonly firstName: string;
  readonly middleName?: string;
  readonly lastName: string;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  readonly performer?: string;
  readonly resourceId?: string;
  readonly purpose: string;
  readonly start?: string;
  readonly end?: string;
  readonly expiresOn?: string;
}

/** The file breaks the format; `problems` holds one `path: reason` line per problem. */
export class CalendarFileError extends Error {
  override readonly name = 'CalendarFileError';
  constructor(readonly problems: readonly string[]) {
    super(
      `the calendar file has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${p}`).join('\n'),
    );
  }
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

type Json = Record<string, unknown>;

/** The JSON path of a field: `facilities[1].timeTypes[0].id`. */
const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Collects problems and reads typed fields, each with the JSON path it came from. */
class Reader {
  readonly problems: string[] = [];

  add(path: string, reason: string): void {
    this.problems.push(`${path || '(the file)'}: ${reason}`);
  }

  object(value: unknown, path: string, keys: readonly string[]): Json | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(path, 'must be an object');
      return undefined;
    }
    for (const key of Object.keys(value)) {
      // `$comment` lets staff annotate a file; JSON has no comments of its own.
      if (!keys.includes(key) && key !== '$comment')
        this.add(`${at(path, key)}`, 'is not a field of the calendar format');
    }
    return value as Json;
  }

  list<T>(o: Json, key: string, path: string, item: (value: unknown, path: string) => T): T[] {
    const value = o[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.add(`${at(path, key)}`, 'must be a list');
      return [];
    }
    return value.map((v, i) => item(v, `${at(path, key)}[${i}]`));
  }

  string(o: Json, key: string, path: string): string;
  string(o: Json, key: string, path: string, optional: 'optional'): string | undefined;
  string(o: Json, key: string, path: string, optional?: 'optional'): string | undefined {
    const value = o[key];
    const field = at(path, key);
    if (value === undefined || value === null) {
      if (!optional) this.add(field, 'required');
      return optional ? undefined : '';
    }
    if (typeof value !== 'string') {
      this.add(field, 'must be a string');
      return optional ? undefined : '';
    }
    if (value.trim() === '') {
      this.add(field, 'must not be empty');
      return optional ? undefined : '';
    }
    return value;
  }

  /** An id or HSA-id: a non-empty string without surrounding whitespace. */
  id(o: Json, key: string, path: string): string;
  id(o: Json, key: string, path: string, optional: 'optional'): string | undefined;
  id(o: Json, key: string, path: string, optional?: 'optional'): string | undefined {
    const value = optional ? this.string(o, key, path, optional) : this.string(o, key, path);
    if (value && value.trim() !== value)
      this.add(`${at(path, key)}`, 'must not begin or end with whitespace');
    return value;
  }

  boolean(o: Json, key: string, path: string, fallback?: boolean): boolean {
    const value = o[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.add(`${at(path, key)}`, value === undefined ? 'required' : 'must be true or false');
      return false;
    }
    return value;
  }

  checked(
    o: Json,
    key: string,
    path: string,
    check: (value: string) => string | undefined,
  ): string | undefined {
    const value = this.string(o, key, path, 'optional');
    if (value === undefined) return undefined;
    const problem = check(value);
    if (problem) {
      this.add(`${at(path, key)}`, problem);
      return undefined;
    }
    return value;
  }
}

/** Case-insensitive lookup of HSA-ids (TKB-G §3.8). */
const hsaKey = (hsaId: string) => hsaId.toLowerCase();

/**
 * Checks a parsed JSON value against the calendar format and returns it with
 * defaults filled in. Throws {@link CalendarFileError} listing every problem.
 */
export function parseCalendarFile(json: unknown): CalendarFile {
  const r = new Reader();
  const root = r.object(json, '', ['version', 'facilities', 'patients']);
  if (!root) throw new CalendarFileError(r.problems);
  if (root['version'] !== undefined && root['version'] !== 1)
    r.add('version', 'must be 1 (the only version of this format)');
  if (!Array.isArray(root['facilities'])) r.add('facilities', 'required: a list of facilities');
  const facilities = r
    .list(root, 'facilities', '', (v, path) => facility(r, v, path))
    .filter((f): f is FacilityEntry => f !== undefined);

  const patients = r
    .list(root, 'patients', '', (v, path) => patient(r, v, path))
    .filter((p): p is PatientEntry => p !== undefined);

  checkUnique(
    r,
    facilities.map((f, i) => [hsaKey(f.hsaId), `facilities[${i}].hsaId`]),
    'facility',
  );
  // Person ids compare case-insensitively (a reserve number's letter), as the store does.
  checkUnique(
    r,
    patients.map((p, i) => [p.subjectOfCare.toUpperCase(), `patients[${i}].subjectOfCare`]),
    'patient',
    'listed already',
  );
  checkUnique(
    r,
    facilities.flatMap((f, i) =>
      f.timeslots.flatMap((s, j) =>
        s.id === undefined ? [] : [[s.id, `facilities[${i}].timeslots[${j}].id`] as const],
      ),
    ),
    'timeslot',
  );
  checkUnique(
    r,
    facilities.flatMap((f, i) =>
      f.invitations.map((inv, j) => [inv.id, `facilities[${i}].invitations[${j}].id`] as const),
    ),
    'invitation',
  );

  if (r.problems.length > 0) throw new CalendarFileError(r.problems);
  return { version: 1, facilities, patients };
}

/** Reports each repeated key at its path, naming where it came first (never the key itself). */
function checkUnique(
  r: Reader,
  entries: readonly (readonly [string, string])[],
  what: string,
  repeated = 'id already used',
): void {
  const first = new Map<string, string>();
  for (const [key, path] of entries) {
    const earlier = first.get(key);
    if (earlier) r.add(path, `${what} ${repeated} at ${earlier}`);
    else first.set(key, path);
  }
}

/**
 * A patient's identifiers: the personnummer, then a non-empty list of
 * `{system, value}` checked by the same domain rules as staff's admin API
 * (a BSN must pass the elfproef). No message quotes a value.
 */
function patient(r: Reader, value: unknown, path: string): PatientEntry | undefined {
  const o = r.object(value, path, ['subjectOfCare', 'identifiers']);
  if (!o) return undefined;
  const subjectOfCare = r.string(o, 'subjectOfCare', path);
  if (subjectOfCare) {
    const problem = checkSubjectOfCareId(subjectOfCare);
    if (problem) r.add(at(path, 'subjectOfCare'), problem);
  }
  const raw = o['identifiers'];
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0))
    r.add(at(path, 'identifiers'), 'required: a non-empty list of {system, value}');
  const listed = r.list(o, 'identifiers', path, (v, p) => {
    const id = r.object(v, p, ['system', 'value']);
    if (!id) return undefined;
    if (id['system'] === undefined) r.add(at(p, 'system'), 'required');
    const system = r.checked(id, 'system', p, checkIdentifierSystem);
    const value = r.string(id, 'value', p);
    if (system === undefined || !value) return undefined;
    const problem = checkIdentifierValue({ system, value });
    if (problem) r.add(at(p, 'value'), problem);
    return { system, value };
  });
  checkUnique(
    r,
    listed.flatMap((id, i) =>
      id ? [[id.system, `${at(path, 'identifiers')}[${i}].system`] as const] : [],
    ),
    'identifier system',
    'given already',
  );
  const identifiers = listed.filter((id): id is PatientIdentifier => id !== undefined);
  return { subjectOfCare, identifiers };
}

/** An optional postal address: street, postal code (`123 45`) and city, all required when given. */
function address(r: Reader, value: unknown, path: string): PostalAddress | undefined {
  if (value === undefined) return undefined;
  const o = r.object(value, path, ['street', 'postalCode', 'city']);
  if (!o) return undefined;
  const street = r.string(o, 'street', path);
  const postalCode = r.string(o, 'postalCode', path);
  const city = r.string(o, 'city', path);
  if (postalCode && !/^\d{3} ?\d{2}$/.test(postalCode))
    r.add(at(path, 'postalCode'), 'must be a Swedish postal code: five digits, e.g. 112 21');
  return { street, postalCode, city };
}

function facility(r: Reader, value: unknown, path: string): FacilityEntry | undefined {
  const o = r.object(value, path, [
    'hsaId',
    'name',
    'postalAddress',
    'webBookingEnabled',
    'partnerFacilities',
    'careTypes',
    'timeTypes',
    'performers',
    'resources',
    'schedules',
    'timeslots',
    'invitations',
  ]);
  if (!o) return undefined;
  const hsaId = r.id(o, 'hsaId', path);
  const name = r.string(o, 'name', path);
  const postalAddress = address(r, o['postalAddress'], at(path, 'postalAddress'));
  const webBookingEnabled = r.boolean(o, 'webBookingEnabled', path);
  const partnerFacilities = r.list(o, 'partnerFacilities', path, (v, p) => {
    if (typeof v !== 'string' || v.trim() === '' || v.trim() !== v) {
      r.add(p, 'must be an HSA-id: a non-empty string without surrounding whitespace');
      return '';
    }
    if (hsaKey(v) === hsaKey(hsaId)) r.add(p, 'is the facility itself');
    return v;
  });

  const careTypes = r.list(o, 'careTypes', path, (v, p) => {
    const c = r.object(v, p, ['id', 'name']);
    return c ? { id: r.id(c, 'id', p), name: r.string(c, 'name', p) } : undefined;
  });
  const careTypeIds = new Set(careTypes.flatMap((c) => (c ? [c.id] : [])));

  const timeTypes = r.list(o, 'timeTypes', path, (v, p) => timeType(r, v, p, careTypeIds));
  const performers = r.list(o, 'performers', path, (v, p) => {
    const c = r.object(v, p, ['hsaId', 'firstName', 'lastName', 'title']);
    if (!c) return undefined;
    const title = r.string(c, 'title', p, 'optional');
    return {
      hsaId: r.id(c, 'hsaId', p),
      firstName: r.string(c, 'firstName', p),
      lastName: r.string(c, 'lastName', p),
      ...(title !== undefined ? { title } : {}),
    };
  });
  const resources = r.list(o, 'resources', path, (v, p) => {
    const c = r.object(v, p, ['id', 'name']);
    return c ? { id: r.id(c, 'id', p), name: r.string(c, 'name', p) } : undefined;
  });

  const defined = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
  const refs: References = {
    timeTypes: new Map(defined(timeTypes).map((t) => [t.id, t])),
    careTypeIds,
    performers: new Map(defined(performers).map((p) => [hsaKey(p.hsaId), p.hsaId])),
    resourceIds: new Set(defined(resources).map((x) => x.id)),
  };

  checkUnique(
    r,
    idsWithPaths(careTypes, path, 'careTypes', 'id', (c) => c.id),
    'care type',
  );
  checkUnique(
    r,
    idsWithPaths(timeTypes, path, 'timeTypes', 'id', (c) => c.id),
    'time type',
  );
  checkUnique(
    r,
    idsWithPaths(performers, path, 'performers', 'hsaId', (c) => hsaKey(c.hsaId)),
    'performer',
  );
  checkUnique(
    r,
    idsWithPaths(resources, path, 'resources', 'id', (c) => c.id),
    'resource',
  );

  const schedules = r.list(o, 'schedules', path, (v, p) => schedule(r, v, p, refs));
  const timeslots = r.list(o, 'timeslots', path, (v, p) => timeslot(r, v, p, refs));
  const invitations = r.list(o, 'invitations', path, (v, p) => invitation(r, v, p, refs));

  return {
    hsaId,
    name,
    ...(postalAddress ? { postalAddress } : {}),
    webBookingEnabled,
    partnerFacilities,
    careTypes: defined(careTypes),
    timeTypes: defined(timeTypes),
    performers: defined(performers),
    resources: defined(resources),
    schedules: defined(schedules),
    timeslots: defined(timeslots),
    invitations: defined(invitations),
  };
}

function idsWithPaths<T>(
  items: readonly (T | undefined)[],
  path: string,
  key: string,
  field: string,
  id: (item: T) => string,
): [string, string][] {
  return items.flatMap((item, i) =>
    item === undefined ? [] : [[id(item), `${at(path, key)}[${i}].${field}`] as [string, string]],
  );
}

interface References {
  readonly timeTypes: ReadonlyMap<string, TimeTypeEntry>;
  readonly careTypeIds: ReadonlySet<string>;
  /** Lower-cased HSA-id → HSA-id as declared. */
  readonly performers: ReadonlyMap<string, string>;
  readonly resourceIds: ReadonlySet<string>;
}

function timeType(
  r: Reader,
  value: unknown,
  path: string,
  careTypeIds: ReadonlySet<string>,
): TimeTypeEntry | undefined {
  const o = r.object(value, path, [
    'id',
    'name',
    'careTypeIds',
    'cancelAllowed',
    'rebookAllowed',
    'messageAllowed',
    'webBookable',
    'audience',
    'bookingInfo',
    'cancelInfo',
  ]);
  if (!o) return undefined;
  const linked = r.list(o, 'careTypeIds', path, (v, p) => {
    if (typeof v !== 'string') r.add(p, 'must be a care type id');
    else if (!careTypeIds.has(v)) r.add(p, `no care type '${v}' in this facility`);
    return typeof v === 'string' ? v : '';
  });
  let audience: TimeTypeAudience = 'everyone';
  const rawAudience = o['audience'];
  if (rawAudience === 'returning-patients') audience = rawAudience;
  else if (rawAudience !== undefined && rawAudience !== 'everyone')
    r.add(`${path}.audience`, "must be 'everyone' or 'returning-patients'");
  const bookingInfo = r.string(o, 'bookingInfo', path, 'optional');
  const cancelInfo = r.string(o, 'cancelInfo', path, 'optional');
  return {
    id: r.id(o, 'id', path),
    name: r.string(o, 'name', path),
    careTypeIds: linked,
    cancelAllowed: r.boolean(o, 'cancelAllowed', path),
    rebookAllowed: r.boolean(o, 'rebookAllowed', path),
    messageAllowed: r.boolean(o, 'messageAllowed', path),
    webBookable: r.boolean(o, 'webBookable', path, true),
    audience,
    ...(bookingInfo !== undefined ? { bookingInfo } : {}),
    ...(cancelInfo !== undefined ? { cancelInfo } : {}),
  };
}

/** Time type, care type, performer and resource of a slot, schedule or invitation. */
function slotReferences(r: Reader, o: Json, path: string, refs: References) {
  const timeTypeId = r.id(o, 'timeTypeId', path);
  const careTypeId = r.id(o, 'careTypeId', path, 'optional');
  const performerRef = r.id(o, 'performer', path, 'optional');
  const resourceId = r.id(o, 'resourceId', path, 'optional');
  const tt = refs.timeTypes.get(timeTypeId);
  if (timeTypeId && !tt)
    r.add(`${path}.timeTypeId`, `no time type '${timeTypeId}' in this facility`);
  if (careTypeId !== undefined) {
    if (!refs.careTypeIds.has(careTypeId))
      r.add(`${path}.careTypeId`, `no care type '${careTypeId}' in this facility`);
    else if (tt && tt.careTypeIds.length > 0 && !tt.careTypeIds.includes(careTypeId))
      r.add(
        `${path}.careTypeId`,
        `time type '${timeTypeId}' does not serve care type '${careTypeId}'`,
      );
  }
  let performer: string | undefined;
  if (performerRef !== undefined) {
    performer = refs.performers.get(hsaKey(performerRef));
    if (!performer) r.add(`${path}.performer`, `no performer '${performerRef}' in this facility`);
  }
  if (resourceId !== undefined && !refs.resourceIds.has(resourceId))
    r.add(`${path}.resourceId`, `no resource '${resourceId}' in this facility`);
  return {
    timeTypeId,
    ...(careTypeId !== undefined ? { careTypeId } : {}),
    ...(performer !== undefined ? { performer } : {}),
    ...(resourceId !== undefined ? { resourceId } : {}),
  };
}

const SLOT_KEYS = ['timeTypeId', 'careTypeId', 'performer', 'resourceId'] as const;

function minutes(hhmm: string): number {
  return +hhmm.slice(0, 2) * 60 + +hhmm.slice(3, 5);
}

function schedule(
  r: Reader,
  value: unknown,
  path: string,
  refs: References,
): ScheduleEntry | undefined {
  const o = r.object(value, path, [
    ...SLOT_KEYS,
    'weekdays',
    'from',
    'to',
    'slotMinutes',
    'validFrom',
    'validTo',
  ]);
  if (!o) return undefined;
  const slot = slotReferences(r, o, path, refs);
  const rawWeekdays = o['weekdays'];
  if (rawWeekdays === undefined || (Array.isArray(rawWeekdays) && rawWeekdays.length === 0))
    r.add(`${path}.weekdays`, `required: a non-empty list of ${WEEKDAYS.join(', ')}`);
  const weekdays = r.list(o, 'weekdays', path, (v, p) => {
    if (!WEEKDAYS.includes(v as Weekday)) r.add(p, `must be one of ${WEEKDAYS.join(', ')}`);
    return v as Weekday;
  });
  if (new Set(weekdays).size !== weekdays.length) r.add(`${path}.weekdays`, 'repeats a day');
  const from = r.string(o, 'from', path);
  const to = r.string(o, 'to', path);
  for (const [key, v] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (v !== '' && !HH_MM.test(v)) r.add(at(path, key), 'must be a local time written HH:mm');
  }
  const slotMinutes = o['slotMinutes'];
  let minutesOk = false;
  if (typeof slotMinutes !== 'number' || !Number.isInteger(slotMinutes) || slotMinutes <= 0)
    r.add(
      `${path}.slotMinutes`,
      slotMinutes === undefined ? 'required' : 'must be a whole number of minutes above 0',
    );
  else minutesOk = true;
  if (HH_MM.test(from) && HH_MM.test(to)) {
    if (minutes(from) >= minutes(to)) r.add(`${path}.to`, 'must be later than from');
    else if (minutesOk && (slotMinutes as number) > minutes(to) - minutes(from))
      r.add(`${path}.slotMinutes`, 'is longer than the time from–to: no slot would fit');
  }
  const validFrom = r.checked(o, 'validFrom', path, checkDt);
  const validTo = r.checked(o, 'validTo', path, checkDt);
  if (validFrom && validTo && validFrom > validTo)
    r.add(`${path}.validTo`, 'must not be before validFrom');
  return {
    ...slot,
    weekdays,
    from,
    to,
    slotMinutes: minutesOk ? (slotMinutes as number) : 0,
    ...(validFrom !== undefined ? { validFrom } : {}),
    ...(validTo !== undefined ? { validTo } : {}),
  };
}

/** Checks a start/end TS pair; both must be real local times, start before end. */
function interval(r: Reader, o: Json, path: string, required: boolean) {
  if (required) {
    r.string(o, 'start', path);
    r.string(o, 'end', path);
  }
  const start = r.checked(o, 'start', path, checkTs);
  const end = r.checked(o, 'end', path, checkTs);
  for (const [key, ts] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (ts && isInDstGap(ts))
      r.add(`${at(path, key)}`, 'falls in the hour skipped when summer time begins');
  }
  if (start && end && start >= end) r.add(`${path}.end`, 'must be later than start');
  return { start, end };
}

function timeslot(
  r: Reader,
  value: unknown,
  path: string,
  refs: References,
): TimeslotEntry | undefined {
  const o = r.object(value, path, ['id', 'start', 'end', ...SLOT_KEYS]);
  if (!o) return undefined;
  const id = r.id(o, 'id', path, 'optional');
  const { start, end } = interval(r, o, path, true);
  return {
    ...(id !== undefined ? { id } : {}),
    start: start ?? '',
    end: end ?? '',
    ...slotReferences(r, o, path, refs),
  };
}

function invitation(
  r: Reader,
  value: unknown,
  path: string,
  refs: References,
): InvitationEntry | undefined {
  const o = r.object(value, path, [
    'id',
    'subjectOfCare',
    'firstName',
    'middleName',
    'lastName',
    'purpose',
    'start',
    'end',
    'expiresOn',
    ...SLOT_KEYS,
  ]);
  if (!o) return undefined;
  const id = r.id(o, 'id', path);
  // checkSubjectOfCareId never quotes the value, so a personnummer stays out of messages.
  const subjectOfCare = r.string(o, 'subjectOfCare', path);
  if (subjectOfCare) {
    const problem = checkSubjectOfCareId(subjectOfCare);
    if (problem) r.add(`${path}.subjectOfCare`, problem);
  }
  const middleName = r.string(o, 'middleName', path, 'optional');
  const purpose = r.string(o, 'purpose', path);
  if (purpose) {
    const problem = checkPurpose(purpose);
    if (problem) r.add(`${path}.purpose`, problem);
  }
  const { start, end } = interval(r, o, path, false);
  if ((o['start'] === undefined) !== (o['end'] === undefined))
    r.add(path, 'give both start and end (a timed invitation) or neither (an open one)');
  const expiresOn = r.checked(o, 'expiresOn', path, checkDt);
  if (expiresOn !== undefined && o['start'] !== undefined)
    r.add(`${path}.expiresOn`, 'only an open invitation expires; a timed one ends at its start');
  return {
    id,
    subjectOfCare,
    firstName: r.string(o, 'firstName', path),
    ...(middleName !== undefined ? { middleName } : {}),
    lastName: r.string(o, 'lastName', path),
    ...slotReferences(r, o, path, refs),
    purpose,
    ...(start !== undefined && end !== undefined ? { start, end } : {}),
    ...(expiresOn !== undefined ? { expiresOn } : {}),
  };
}

/** Invitation texts are checked by the domain's rule (plain text or the DocBook subset). */
export { checkPurpose };
