/** `/admin/ei/reload?facility=<hsa-id>`: re-send a facility's current engagements. */
import type { AdminRoute } from '../admin-api.ts';
import { AdminHttpError } from '../admin-http-error.ts';
import { reloadFacility } from '../operator-actions.ts';

export const engagementIndexRoutes: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: /^\/admin\/ei\/reload$/,
    handle: async ({ url }, { service, ei, notify, now }) => {
      const facility = url.searchParams.get('facility');
      if (!facility) throw new AdminHttpError(400, 'name the facility: ?facility=<hsa-id>');
      const report = await reloadFacility(service.store, facility, ei, now);
      notify();
      return { body: report };
    },
  },
];
