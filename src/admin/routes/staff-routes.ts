/** `/admin/invitations…` and `/admin/bookings…`: staff actions on a patient's behalf. */
import type { SchedulingService } from '../../domain/scheduling-service.ts';
import { bookingViewSchema } from '../../staff/booking-view.ts';
import { changeInvitation, createInvitation, withdrawInvitation } from '../../staff/invitations.ts';
import {
  bookForPatient,
  cancelForPatient,
  rebookForPatient,
  showBooking,
} from '../../staff/staff-booking.ts';
import {
  bookForPatientInput,
  cancelInput,
  changeInvitationInput,
  createInvitationInput,
  rebookInput,
} from '../../staff/staff-inputs.ts';
import { defineAdminRoute, noBody, noQuery, type AdminRoute } from '../admin-route.ts';

export function staffRoutes(service: SchedulingService): readonly AdminRoute[] {
  const answer = bookingViewSchema;
  const query = noQuery;
  return [
    defineAdminRoute({
      method: 'POST',
      path: '/admin/invitations',
      summary: 'Create an invitation, open or timed on a slot',
      body: createInvitationInput,
      query,
      status: 201,
      answer,
      handle: ({ body }) => createInvitation(service, body),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/invitations/:id/withdraw',
      summary: 'Withdraw an invitation, freeing its slot',
      body: cancelInput,
      query,
      answer,
      handle: ({ params, body }) => withdrawInvitation(service, params['id']!, body),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/invitations/:id/change',
      summary: 'Change an invitation: answered with the new invitation that replaces it',
      body: changeInvitationInput,
      query,
      status: 201,
      answer,
      handle: ({ params, body }) => changeInvitation(service, params['id']!, body),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/bookings',
      summary: 'Book a slot for a patient, or an open invitation for its patient',
      body: bookForPatientInput,
      query,
      status: 201,
      answer,
      handle: ({ body }) => bookForPatient(service, body),
    }),
    defineAdminRoute({
      method: 'GET',
      path: '/admin/bookings/:id',
      summary: 'Show a booking or invitation',
      body: noBody,
      query,
      answer,
      handle: ({ params }) => showBooking(service, params['id']!),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/bookings/:id/rebook',
      summary: 'Move a booking or timed invitation to another slot',
      body: rebookInput,
      query,
      answer,
      handle: ({ params, body }) => rebookForPatient(service, params['id']!, body),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/bookings/:id/cancel',
      summary: 'Cancel a booking',
      body: cancelInput,
      query,
      answer,
      handle: ({ params, body }) => cancelForPatient(service, params['id']!, body),
    }),
  ];
}
