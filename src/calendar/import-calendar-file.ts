/**
 * Loads a calendar file through the domain service, so that its invitations
 * are created with their change listeners (EI outbox) like any staff action.
 * Shared by `npm start` (the calendar it loads at start) and `tidbok import`.
 *
 * One word per concept: a calendar *import* loads a calendar file into the
 * store (this, and `tidbok import`); `expandCalendar` turns the file into an
 * `ExpandedCalendar` of rows first; the engagement index is *reloaded*
 * (re-sent), never imported.
 */
import { expandCalendar } from './expand-calendar.ts';
import { importCalendar, type ImportHooks, type ImportReport } from './import-calendar.ts';
import { readCalendarFile } from './read-calendar-file.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { instantToDt } from '../domain/local-time.ts';

export async function importCalendarFile(
  service: SchedulingService,
  path: string,
  options: { horizonDays?: number } = {},
): Promise<ImportReport> {
  const file = await readCalendarFile(path);
  const nowUtcMs = service.now();
  const imported = expandCalendar(file, {
    todayDt: instantToDt(nowUtcMs),
    nowUtcMs,
    ...(options.horizonDays !== undefined ? { horizonDays: options.horizonDays } : {}),
  });
  return importCalendar(service.store, imported, hooksThroughService(service));
}

/**
 * The import's hooks on the domain service: invitations created with their
 * change listeners, and a unit's web-booking switch announced to them.
 */
export function hooksThroughService(service: SchedulingService): ImportHooks {
  return {
    createInvitation: invitationsThroughService(service),
    webBookingSwitched: (tx, facility, on) => service.announceWebBookingSwitch(tx, facility, on),
  };
}

/**
 * The import's `createInvitation` hook that creates each invitation with
 * `SchedulingService.createInvitation` inside the import's transaction, so
 * its EI outbox messages commit with it.
 */
export function invitationsThroughService(
  service: SchedulingService,
): ImportHooks['createInvitation'] {
  return async (tx, invitation) => {
    const outcome = await service.createInvitation(
      {
        id: invitation.id,
        facility: invitation.facility,
        subjectOfCare: invitation.subjectOfCare,
        patient: invitation.patient,
        timeTypeId: invitation.timeTypeId,
        purpose: invitation.purpose,
        ...(invitation.careTypeId !== undefined ? { careTypeId: invitation.careTypeId } : {}),
        ...(invitation.slotId !== undefined ? { slotId: invitation.slotId } : {}),
        ...(invitation.expiresOn !== undefined ? { expiresOn: invitation.expiresOn } : {}),
      },
      tx,
    );
    if (!outcome.ok)
      throw new Error(`invitation ${invitation.id} could not be created: ${outcome.text}`);
    return outcome.value.created;
  };
}
