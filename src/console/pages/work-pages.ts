/**
 * The console's invitations and deliveries pages. Invitations are created
 * and withdrawn through the staff services (so EI and every channel hear of
 * them); a dead letter is put back through the outbox store, as the admin
 * API's retry does.
 *
 * @module
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SchedulingService } from '../../domain/scheduling-service.ts';
import type { OutboxStore } from '../../outbox/outbox-store.ts';
import { createInvitation, withdrawInvitation } from '../../staff/invitations.ts';
import { StaffActionError } from '../../staff/staff-action-error.ts';
import { cancelInput, createInvitationInput, readInput } from '../../staff/staff-inputs.ts';
import { sendConsolePage } from './console-page.ts';
import { DeliveriesPage } from '../views/deliveries-page.tsx';
import { InvitationsPage } from '../views/invitations-page.tsx';
import { optionalText, patientFields } from './form-fields.ts';

export interface WorkPagesDeps {
  readonly service: SchedulingService;
  readonly outbox: OutboxStore;
  readonly channels: readonly string[];
  /** Wakes the dispatchers after a dead letter was put back. */
  readonly notify: () => void;
}

const invitationForm = z.object({
  facility: z.string(),
  ...patientFields,
  timeTypeId: optionalText,
  slotId: optionalText,
  expiresOn: optionalText,
  purpose: z.string(),
});
const facilityQuery = z.object({ facility: z.string().max(64).optional() });

export function workPages(deps: WorkPagesDeps): Router {
  const { service } = deps;
  const store = service.store;
  const router = express.Router();

  const invitationsPage = async (
    res: Response,
    wanted: string | undefined,
    extra: { notice?: string; error?: string } = {},
  ) => {
    const facilities = await store.listFacilities();
    const facility =
      facilities.find((f) => f.hsaId === wanted)?.hsaId ?? facilities[0]?.hsaId ?? '';
    const [timeTypes, bookings] = facility
      ? await Promise.all([store.listTimeTypes(facility), store.listActiveBookings(facility)])
      : [[], []];
    sendConsolePage(
      res,
      InvitationsPage,
      {
        facilities,
        facility,
        timeTypes,
        invitations: bookings.filter((b) => b.isInvitation),
        ...extra,
      },
      extra.error ? 409 : 200,
    );
  };

  router.get('/invitations', (req: Request, res: Response) =>
    invitationsPage(res, facilityQuery.catch({}).parse(req.query).facility, {
      ...(typeof req.query['created'] === 'string'
        ? { notice: `Kallelse skapad: ${req.query['created']}` }
        : {}),
      ...(req.query['withdrawn'] === '1' ? { notice: 'Kallelsen är tillbakadragen.' } : {}),
    }),
  );

  router.post('/invitations', async (req, res) => {
    const parsed = invitationForm.safeParse(req.body);
    if (!parsed.success)
      return invitationsPage(res, undefined, { error: 'Formuläret saknar uppgifter.' });
    const form = parsed.data;
    try {
      const input = readInput(createInvitationInput, {
        facility: form.facility,
        subjectOfCare: form.subjectOfCare,
        patient: { firstName: form.firstName, lastName: form.lastName },
        purpose: form.purpose,
        ...(form.slotId ? { slotId: form.slotId } : { timeTypeId: form.timeTypeId }),
        ...(form.expiresOn && !form.slotId ? { expiresOn: form.expiresOn } : {}),
      });
      const created = await createInvitation(service, input);
      res.redirect(
        303,
        `/console/invitations?facility=${encodeURIComponent(form.facility)}&created=${encodeURIComponent(created.id)}`,
      );
    } catch (err) {
      if (!(err instanceof StaffActionError)) throw err;
      await invitationsPage(res, form.facility, { error: err.message });
    }
  });

  router.post('/invitations/:id/withdraw', async (req, res) => {
    const id = String(req.params['id']);
    try {
      const booking = await store.getBooking(id);
      await withdrawInvitation(service, id, readInput(cancelInput, {}));
      res.redirect(
        303,
        `/console/invitations?facility=${encodeURIComponent(booking?.facility ?? '')}&withdrawn=1`,
      );
    } catch (err) {
      if (!(err instanceof StaffActionError)) throw err;
      await invitationsPage(res, undefined, { error: err.message });
    }
  });

  const deliveriesPage = async (res: Response, notice?: string) => {
    const now = service.now();
    const channels = await Promise.all(
      deps.channels.map(async (name) => ({ name, status: await deps.outbox.status(name, now) })),
    );
    sendConsolePage(res, DeliveriesPage, { channels, ...(notice ? { notice } : {}) });
  };
  router.get('/deliveries', (req, res) =>
    deliveriesPage(res, req.query['retried'] === '1' ? 'Leveransen försöks igen.' : undefined),
  );
  router.post('/deliveries/:id/retry', async (req, res) => {
    const id = z.coerce.number().int().positive().safeParse(req.params['id']);
    const count = id.success ? await deps.outbox.retryDead(id.data) : 0;
    if (count > 0) deps.notify();
    if (count === 0) return deliveriesPage(res, 'Ingen sådan misslyckad leverans.');
    res.redirect(303, '/console/deliveries?retried=1');
  });
  return router;
}
