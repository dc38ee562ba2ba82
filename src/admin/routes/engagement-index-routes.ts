/** `/admin/ei/reload?facility=<hsa-id>`: re-send a facility's current engagements. */
import { z } from 'zod';
import type { EiConfig } from '../../channels/engagement-index/engagement-mapping.ts';
import { reloadFacility } from '../../staff/operator-actions.ts';
import { defineAdminRoute, noBody, type AdminRouteContribution } from '../admin-route.ts';

/** The EI reload as a contribution to the admin API (`ei` absent: refused, not configured). */
export function engagementIndexRoutes(ei: EiConfig | undefined): AdminRouteContribution {
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
