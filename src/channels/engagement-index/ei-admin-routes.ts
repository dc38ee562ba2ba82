/**
 * `/admin/ei/reload?facility=<hsa-id>`: re-send a facility's current
 * engagements; the engagement index's contribution to the admin API.
 *
 * @module
 */
import { z } from 'zod';
import { defineAdminRoute, noBody, type AdminRouteContribution } from '../../admin/admin-route.ts';
import type { EiConfig } from './engagement-mapping.ts';
import { reloadFacility } from './engagement-reload.ts';

/** The EI reload as a contribution to the admin API. */
export function engagementIndexRoutes(ei: EiConfig): AdminRouteContribution {
  return ({ service, notify, now }) => [
    defineAdminRoute({
      method: 'POST',
      path: '/admin/ei/reload',
      summary: "Re-send a facility's current engagements to the engagement index",
      body: noBody,
      query: z.object({
        facility: z.string({ error: 'is required: ?facility=<hsa-id>' }).min(1, 'is empty'),
      }),
      handle: async ({ query }) => {
        const report = await reloadFacility(service.store, query.facility, ei, now);
        notify();
        return report;
      },
    }),
  ];
}
