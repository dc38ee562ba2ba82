/**
 * Loads a calendar file through the domain service, so that its invitations
 * are created with their change listeners (EI outbox) like any staff action.
 * Shared by `npm start` (demo seed) and `tidbok import`.
 */
import { expandCalendar } from './calendar/expand-calendar.ts';
import { importCalendar, type ImportReport } from './calendar/import-calendar.ts';
import { readCalendarFile } from './calendar/read-calendar-file.ts';
import type { SchedulingService } from './domain/scheduling-service.ts';
import { instantToDt } from './domain/local-time.ts';

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
  return importCalendar(service.store, imported, {
    createInvitation: async (tx, invitation) => {
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
    },
  });
}
