/** `/admin/invitations…` and `/admin/bookings…`: staff actions on a patient's behalf. */
import type { AdminRoute } from '../admin-api.ts';
import {
  bookForPatient,
  cancelForPatient,
  changeInvitation,
  createInvitation,
  rebookForPatient,
  showBooking,
  withdrawInvitation,
} from '../staff-actions.ts';

const ID = '([^/]+)';

export const bookingRoutes: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: /^\/admin\/invitations$/,
    handle: async ({ body }, { service }) => ({
      status: 201,
      body: await createInvitation(service, body),
    }),
  },
  {
    method: 'POST',
    path: new RegExp(`^/admin/invitations/${ID}/withdraw$`),
    handle: async ({ params, body }, { service }) => ({
      body: await withdrawInvitation(service, params[0]!, body),
    }),
  },
  {
    method: 'POST',
    path: new RegExp(`^/admin/invitations/${ID}/change$`),
    handle: async ({ params, body }, { service }) => ({
      status: 201,
      body: await changeInvitation(service, params[0]!, body),
    }),
  },
  {
    method: 'POST',
    path: /^\/admin\/bookings$/,
    handle: async ({ body }, { service }) => ({
      status: 201,
      body: await bookForPatient(service, body),
    }),
  },
  {
    method: 'GET',
    path: new RegExp(`^/admin/bookings/${ID}$`),
    handle: async ({ params }, { service }) => ({ body: await showBooking(service, params[0]!) }),
  },
  {
    method: 'POST',
    path: new RegExp(`^/admin/bookings/${ID}/rebook$`),
    handle: async ({ params, body }, { service }) => ({
      body: await rebookForPatient(service, params[0]!, body),
    }),
  },
  {
    method: 'POST',
    path: new RegExp(`^/admin/bookings/${ID}/cancel$`),
    handle: async ({ params, body }, { service }) => ({
      body: await cancelForPatient(service, params[0]!, body),
    }),
  },
];
