/**
 * A booking or invitation as staff see it through the admin API, the CLI and
 * the console: the personnummer masked. The zod schema documents the answer
 * in the admin API's OpenAPI document and yields the TypeScript type.
 *
 * @module
 */
import { z } from 'zod';
import { maskSubjectOfCare } from '../domain/personnummer.ts';
import type { Booking } from '../domain/types.ts';

export const bookingViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['booking', 'timed-invitation', 'open-invitation']),
    status: z.enum(['active', 'cancelled']),
    facility: z.string(),
    subjectOfCare: z.string().describe('The personnummer, masked: yyyyMMdd-****'),
    patient: z.object({ firstName: z.string(), lastName: z.string() }),
    slotId: z.string().optional(),
    start: z.string().optional().describe('Local time, yyyyMMddHHmmss'),
    end: z.string().optional().describe('Local time, yyyyMMddHHmmss'),
    timeTypeId: z.string(),
    careTypeId: z.string().optional(),
    performer: z.string().optional(),
    purpose: z.string().optional(),
    expiresOn: z
      .string()
      .optional()
      .describe('Last day an open invitation can be booked, yyyyMMdd'),
    version: z.number().int(),
    info: z
      .string()
      .optional()
      .describe(
        "Text the patient must be told (a time type's booking info, or its cancellation info)",
      ),
  })
  .meta({ id: 'BookingView' });

export type BookingView = z.infer<typeof bookingViewSchema>;

export function bookingView(booking: Booking, info?: string): BookingView {
  return {
    id: booking.id,
    kind: !booking.isInvitation
      ? 'booking'
      : booking.slotId
        ? 'timed-invitation'
        : 'open-invitation',
    status: booking.status,
    facility: booking.facility,
    subjectOfCare: maskSubjectOfCare(booking.subjectOfCare),
    patient: { firstName: booking.patient.firstName, lastName: booking.patient.lastName },
    ...(booking.slotId !== undefined ? { slotId: booking.slotId } : {}),
    ...(booking.start ? { start: booking.start.ts } : {}),
    ...(booking.end ? { end: booking.end.ts } : {}),
    timeTypeId: booking.timeTypeId,
    ...(booking.careTypeId !== undefined ? { careTypeId: booking.careTypeId } : {}),
    ...(booking.performer !== undefined ? { performer: booking.performer } : {}),
    ...(booking.purpose !== undefined ? { purpose: booking.purpose } : {}),
    ...(booking.expiresOn !== undefined ? { expiresOn: booking.expiresOn } : {}),
    version: booking.version,
    ...(info !== undefined ? { info } : {}),
  };
}
