/**
 * A calendar file for upload tests (the console's import): the test unit of
 * test-calendar.ts as it is seeded, plus a new time type, a new resource,
 * one explicit slot on `day` at 07:00 and an open invitation.
 */
import { FACILITY, PARTNER, PATIENT, PATIENT_INFO } from './test-calendar.ts';

export const UPLOAD_TIME_TYPE = 'TT-IMPORT';
export const UPLOAD_SLOT_ID = 'import-slot-1';
export const UPLOAD_INVITATION_ID = 'import-kallelse-1';

export function calendarUpload(
  day: string,
  options: { timeTypeName?: string; webBooking?: boolean } = {},
): string {
  return JSON.stringify(
    {
      facilities: [
        {
          hsaId: FACILITY,
          name: 'Vårdcentralen Kungsholmen',
          webBookingEnabled: options.webBooking ?? true,
          partnerFacilities: [PARTNER],
          timeTypes: [
            {
              id: UPLOAD_TIME_TYPE,
              name: options.timeTypeName ?? 'Hälsosamtal (importerad)',
              cancelAllowed: true,
              rebookAllowed: true,
              messageAllowed: false,
            },
          ],
          resources: [{ id: 'R-IMPORT', name: 'Samtalsrum 3' }],
          timeslots: [
            {
              id: UPLOAD_SLOT_ID,
              start: `${day}070000`,
              end: `${day}073000`,
              timeTypeId: UPLOAD_TIME_TYPE,
              resourceId: 'R-IMPORT',
            },
          ],
          invitations: [
            {
              id: UPLOAD_INVITATION_ID,
              subjectOfCare: PATIENT,
              ...PATIENT_INFO,
              timeTypeId: UPLOAD_TIME_TYPE,
              purpose: 'Välkommen på hälsosamtal.',
            },
          ],
        },
      ],
    },
    null,
    2,
  );
}
