/**
 * Writes an expanded calendar into the store in one transaction. Import only
 * adds and updates: it never deletes a facility, type, performer, slot or
 * invitation, so bookings made online are never pulled from under a patient;
 * nor does it move a booked slot (issue 19 item 4): a booking keeps the time,
 * unit, performer and resource its patient and the engagement index know.
 *
 * @module
 */
import { sameId } from '../domain/optional-field.ts';
import type { Facility, Timeslot } from '../domain/types.ts';
import type { CalendarStore, StoreTx } from '../store/calendar-store.ts';
import { TimeslotTakenError } from '../store/errors.ts';
import { CalendarFileError } from './calendar-file.ts';
import type { ExpandedCalendar, ExpandedInvitation } from './expand-calendar.ts';

/** How many rows of one kind an import created, changed or left as they were. */
export interface ImportCounts {
  created: number;
  changed: number;
  unchanged: number;
}

export interface ImportReport {
  readonly facilities: ImportCounts;
  readonly careTypes: ImportCounts;
  readonly timeTypes: ImportCounts;
  readonly performers: ImportCounts;
  readonly resources: ImportCounts;
  readonly timeslots: ImportCounts;
  /** Invitations are created once and never changed by a later import. */
  readonly invitations: ImportCounts;
  /** Patients' identifiers in a system (a BSN), one row per patient and system. */
  readonly patientIdentifiers: ImportCounts;
  /**
   * Units whose web-booking switch this import turned (an added unit that is
   * on counts as switched on), and the outbox messages that queued per
   * channel: EI creates for the current bookings of a unit switched on,
   * deletes for one switched off.
   */
  readonly webBooking: {
    readonly switchedOn: string[];
    readonly switchedOff: string[];
    readonly queued: Record<string, number>;
  };
}

export interface ImportHooks {
  /**
   * Creates one invitation inside the import's transaction, with whatever
   * else a new invitation needs (its EI outbox messages). Returns false when
   * an invitation with this id already exists, and then changes nothing.
   */
  createInvitation(tx: StoreTx, invitation: ExpandedInvitation): Promise<boolean>;
  /**
   * Tells the channels, in the import's transaction, that a unit was switched
   * on or off for web booking; resolves to the outbox messages queued, per
   * channel. Without it a switch queues nothing.
   */
  webBookingSwitched?(
    tx: StoreTx,
    facility: Facility,
    on: boolean,
  ): Promise<Readonly<Record<string, number>>>;
}

/** The row counts of a report, by kind (everything but the web-booking switches). */
export function rowCounts(report: ImportReport): ImportCounts[] {
  const { facilities, careTypes, timeTypes, performers, resources, timeslots } = report;
  const { invitations, patientIdentifiers } = report;
  return [
    facilities,
    careTypes,
    timeTypes,
    performers,
    resources,
    timeslots,
    invitations,
    patientIdentifiers,
  ];
}

/** How many rows an import created or changed. */
export const changedRows = (report: ImportReport): number =>
  rowCounts(report).reduce((sum, c) => sum + c.created + c.changed, 0);

const zero = (): ImportCounts => ({ created: 0, changed: 0, unchanged: 0 });

/** What of a slot's placement `next` changes: the parts a booking on it depends on. */
function placementChanges(current: Timeslot, next: Timeslot): string[] {
  const time = [
    current.start.ts !== next.start.ts || current.start.utcMs !== next.start.utcMs ? 'start' : '',
    current.end.ts !== next.end.ts || current.end.utcMs !== next.end.utcMs ? 'end' : '',
  ].filter((part) => part !== '');
  return [
    ...(time.length > 0 ? [`time (${time.join(' and ')})`] : []),
    ...(sameId(current.facility, next.facility) ? [] : ['unit']),
    ...(sameId(current.performer, next.performer) ? [] : ['performer']),
    ...((current.resourceId ?? '') === (next.resourceId ?? '') ? [] : ['resource']),
  ];
}

/** Counts one upsert: `existed` was read first, because upsert's boolean cannot tell new from changed. */
function count(counts: ImportCounts, existed: boolean, changed: boolean): void {
  if (!existed) counts.created += 1;
  else if (changed) counts.changed += 1;
  else counts.unchanged += 1;
}

/**
 * Upserts everything in `imported` and creates its invitations, all in one
 * transaction: a failure (for example a timed invitation whose slot a
 * patient already booked) leaves the store as it was.
 */
export async function importCalendar(
  store: CalendarStore,
  imported: ExpandedCalendar,
  hooks: ImportHooks,
): Promise<ImportReport> {
  return store.transaction(async (tx) => {
    const report: ImportReport = {
      facilities: zero(),
      careTypes: zero(),
      timeTypes: zero(),
      performers: zero(),
      resources: zero(),
      timeslots: zero(),
      invitations: zero(),
      patientIdentifiers: zero(),
      webBooking: { switchedOn: [], switchedOff: [], queued: {} },
    };

    // First, so that the channel messages of the invitations below already
    // carry the identifiers (a FHIR portal's reads them when a booking changes).
    for (const { subjectOfCare, identifiers } of imported.patients) {
      const recorded = await tx.listPatientIdentifiers(subjectOfCare);
      for (const identifier of identifiers)
        count(
          report.patientIdentifiers,
          recorded.some((r) => r.system === identifier.system),
          await tx.setPatientIdentifier(subjectOfCare, identifier),
        );
    }

    for (const facility of imported.facilities) {
      const before = await tx.getFacility(facility.hsaId);
      count(report.facilities, before !== undefined, await tx.upsertFacility(facility));
      const on = facility.webBookingEnabled;
      if ((before?.webBookingEnabled ?? false) === on) continue;
      (on ? report.webBooking.switchedOn : report.webBooking.switchedOff).push(facility.hsaId);
      const queued = (await hooks.webBookingSwitched?.(tx, facility, on)) ?? {};
      for (const [channel, n] of Object.entries(queued))
        report.webBooking.queued[channel] = (report.webBooking.queued[channel] ?? 0) + n;
    }

    // Types and resources are keyed by id within their facility, performers by HSA-id
    // (case-insensitively, TKB-G §3.8); one listing per facility tells what exists.
    const listed = new Map<string, Set<string>>();
    const exists = async (
      kind: string,
      facility: string,
      key: string,
      list: () => Promise<string[]>,
    ) => {
      const at = `${kind}\u0000${facility.toLowerCase()}`;
      let keys = listed.get(at);
      if (!keys) listed.set(at, (keys = new Set(await list())));
      return keys.has(key);
    };
    const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);

    for (const c of imported.careTypes) {
      const existed = await exists('care', c.facility, c.id, async () =>
        ids(await tx.listCareTypes(c.facility)),
      );
      count(report.careTypes, existed, await tx.upsertCareType(c));
    }
    for (const t of imported.timeTypes) {
      const existed = await exists('time', t.facility, t.id, async () =>
        ids(await tx.listTimeTypes(t.facility)),
      );
      count(report.timeTypes, existed, await tx.upsertTimeType(t));
    }
    for (const p of imported.performers) {
      const existed = await exists('performer', p.facility, p.hsaId.toLowerCase(), async () =>
        (await tx.listPerformers(p.facility)).map((x) => x.hsaId.toLowerCase()),
      );
      count(report.performers, existed, await tx.upsertPerformer(p));
    }
    for (const r of imported.resources) {
      const existed = await exists('resource', r.facility, r.id, async () =>
        ids(await tx.listResources(r.facility)),
      );
      count(report.resources, existed, await tx.upsertResource(r));
    }
    // Every booked slot the file would move is named, then nothing at all is written.
    const refused: string[] = [];
    for (const slot of imported.timeslots) {
      const current = await tx.getTimeslot(slot.id);
      const changes = current ? placementChanges(current, slot) : [];
      if (changes.length > 0 && (await tx.findActiveBookingOnSlot(slot.id))) {
        refused.push(
          `timeslot '${slot.id}' has an active booking; an import may not change its ${changes.join(', ')}`,
        );
        continue;
      }
      if (refused.length === 0)
        count(report.timeslots, current !== undefined, await tx.upsertTimeslot(slot));
    }
    if (refused.length > 0) throw new CalendarFileError(refused);
    // After the slots, so that a timed invitation finds the slot it claims.
    for (const invitation of imported.invitations) {
      let created: boolean;
      try {
        created = await hooks.createInvitation(tx, invitation);
      } catch (err) {
        // A patient booked the slot online before the invitation was added to the file.
        if (err instanceof TimeslotTakenError)
          throw new CalendarFileError([
            `invitation '${invitation.id}': its timeslot at ${invitation.start?.ts ?? '?'} is already booked; choose another time`,
          ]);
        throw err;
      }
      if (created) report.invitations.created += 1;
      else report.invitations.unchanged += 1;
    }
    return report;
  });
}
