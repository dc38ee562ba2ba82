/**
 * `/admin/facilities/:hsaId…`: a unit as stored, and its postal address (the
 * location Kivra letters show). The address is calendar data: a later import
 * of a calendar file without it removes it again.
 */
import { z } from 'zod';
import type { Facility } from '../../domain/types.ts';
import type { CalendarStore } from '../../store/calendar-store.ts';
import { AdminHttpError } from '../admin-http-error.ts';
import { defineAdminRoute, noBody, noQuery, type AdminRoute } from '../admin-route.ts';

const postalAddress = z.object({
  street: z.string().trim().min(1, 'is empty'),
  postalCode: z
    .string()
    .trim()
    .regex(/^\d{3} ?\d{2}$/, 'must be a Swedish postal code: five digits, e.g. 112 21'),
  city: z.string().trim().min(1, 'is empty'),
});

const facilityView = z.object({
  hsaId: z.string(),
  name: z.string(),
  postalAddress: postalAddress.optional(),
  webBookingEnabled: z.boolean(),
  partnerFacilities: z.array(z.string()),
});

export function facilityRoutes(store: CalendarStore): readonly AdminRoute[] {
  const find = async (hsaId: string) => {
    const facility = await store.getFacility(hsaId);
    if (!facility) throw new AdminHttpError(404, `no facility ${hsaId}`);
    return facility;
  };
  return [
    defineAdminRoute({
      method: 'GET',
      path: '/admin/facilities/:hsaId',
      summary: 'A facility as stored, with its postal address',
      body: noBody,
      query: noQuery,
      answer: facilityView,
      handle: ({ params }) => find(params['hsaId']!),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/facilities/:hsaId/postal-address',
      summary: "Set a facility's postal address, or remove it with null",
      body: z.object({ postalAddress: postalAddress.nullable() }),
      query: noQuery,
      answer: facilityView,
      handle: async ({ params, body }) => {
        const facility = await find(params['hsaId']!);
        // No address is stored as none (NULL): the upsert writes an absent field so.
        const changed: Facility = { ...facility, postalAddress: body.postalAddress ?? undefined };
        await store.transaction((tx) => tx.upsertFacility(changed));
        return find(facility.hsaId);
      },
    }),
  ];
}
