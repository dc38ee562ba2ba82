/**
 * The console's calendar pages: the week view, a free slot (book for a
 * patient), and the booking panel (reveal, rebook, cancel). Every change
 * goes through the staff services the admin API and CLI use, so it reaches
 * the engagement index and every enabled channel in the same transaction.
 *
 * @module
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SchedulingService } from '../../domain/scheduling-service.ts';
import { maskSubjectOfCare } from '../../domain/personnummer.ts';
import { StaffActionError } from '../../staff/staff-action-error.ts';
import { bookForPatient, cancelForPatient, rebookForPatient } from '../../staff/staff-booking.ts';
import {
  bookForPatientInput,
  cancelInput,
  readInput,
  rebookInput,
} from '../../staff/staff-inputs.ts';
import { withdrawInvitation } from '../../staff/invitations.ts';
import { sendConsolePage } from './console-page.ts';
import { BookingPanel } from '../views/booking-panel.tsx';
import { CalendarPage } from '../views/calendar-page.tsx';
import { SlotPage } from '../views/slot-page.tsx';
import { loadCalendarWeek, readWhoFilter } from './calendar-data.ts';
import { optionalText, patientFields } from './form-fields.ts';
import { weekOf } from './week.ts';

export interface ConsolePagesDeps {
  readonly service: SchedulingService;
  /** Staff events worth an audit line (a reveal of a personnummer: never the number itself). */
  readonly audit: (event: string, fields?: Record<string, unknown>) => void;
}

const calendarQuery = z.object({
  facility: z.string().max(64).optional(),
  who: z.string().max(130).optional(),
  week: z.string().max(10).optional(),
});

const bookForm = z.object({ ...patientFields, reason: optionalText });
const cancelForm = z.object({ message: optionalText });
const rebookForm = z.object({ slotId: z.string().max(128) });

/** A form whose fields are missing or wrong, in the words staff see. */
function formFields<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new StaffActionError('invalid', 'Formuläret saknar uppgifter.');
  return parsed.data;
}

/** Runs a staff action; a refusal or bad input becomes a message on the page instead of an error page. */
async function attempt(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
    return undefined;
  } catch (err) {
    if (err instanceof StaffActionError) return err.message;
    throw err;
  }
}

export function consolePages(deps: ConsolePagesDeps): Router {
  const { service } = deps;
  const store = service.store;
  const router = express.Router();

  router.get('/', async (req: Request, res: Response) => {
    const q = calendarQuery.parse(req.query);
    const facilities = await store.listFacilities();
    const facility = facilities.find((f) => f.hsaId === q.facility)?.hsaId ?? facilities[0]?.hsaId;
    const week = weekOf(q.week, service.now());
    const who = q.who ?? '';
    const [performers, resources, slots] = facility
      ? await Promise.all([
          store.listPerformers(facility),
          store.listResources(facility),
          loadCalendarWeek(store, facility, readWhoFilter(who), week, service.now()),
        ])
      : [[], [], []];
    sendConsolePage(res, CalendarPage, {
      facilities,
      facility: facility ?? '',
      performers,
      resources,
      who,
      week,
      slots,
    });
  });

  const slotPage = async (req: Request, res: Response, error?: string) => {
    const slot = await store.getTimeslot(String(req.params['id']));
    if (!slot) return void res.status(404).type('text').send('Ingen sådan tid\n');
    const [facility, timeTypes, performers, resources] = await Promise.all([
      store.getFacility(slot.facility),
      store.listTimeTypes(slot.facility),
      store.listPerformers(slot.facility),
      store.listResources(slot.facility),
    ]);
    const performer = performers.find((p) => p.hsaId === slot.performer);
    sendConsolePage(
      res,
      SlotPage,
      {
        slot,
        facilityName: facility?.name ?? slot.facility,
        timeTypeName: timeTypes.find((t) => t.id === slot.timeTypeId)?.name ?? slot.timeTypeId,
        who: performer
          ? `${performer.firstName} ${performer.lastName}`
          : resources.find((r) => r.id === slot.resourceId)?.name,
        ...(error ? { error } : {}),
      },
      error ? 409 : 200,
    );
  };

  router.get('/slots/:id', (req, res) => slotPage(req, res));
  router.post('/slots/:id/book', async (req, res) => {
    let bookingId: string | undefined;
    const error = await attempt(async () => {
      const form = formFields(bookForm, req.body);
      const input = readInput(bookForPatientInput, {
        slotId: String(req.params['id']),
        subjectOfCare: form.subjectOfCare,
        patient: { firstName: form.firstName, lastName: form.lastName },
        ...(form.reason ? { reason: form.reason } : {}),
      });
      bookingId = (await bookForPatient(service, input)).id;
    });
    if (error || !bookingId) return slotPage(req, res, error);
    res.redirect(303, `/console/bookings/${encodeURIComponent(bookingId)}?done=booked`);
  });

  const bookingPanel = async (
    req: Request,
    res: Response,
    extra: { error?: string; notice?: string; revealed?: boolean } = {},
  ) => {
    const booking = await store.getBooking(String(req.params['id']));
    if (!booking) return void res.status(404).type('text').send('Ingen sådan bokning\n');
    const [facility, timeTypes, careTypes] = await Promise.all([
      store.getFacility(booking.facility),
      store.listTimeTypes(booking.facility),
      store.listCareTypes(booking.facility),
    ]);
    const now = service.now();
    const options =
      booking.status === 'active' && booking.slotId
        ? (
            await store.findFreeTimeslots({
              facilities: [booking.facility],
              fromUtcMs: now,
              toUtcMs: now + 28 * 24 * 3600_000,
              timeTypeIds: [booking.timeTypeId],
              limit: 50,
            })
          ).map((s) => ({
            slotId: s.id,
            start: s.start,
            end: s.end,
            state: 'free' as const,
            timeTypeId: s.timeTypeId,
            timeTypeName: s.timeTypeName,
            who: s.performerName ?? s.resourceName,
            bookingId: undefined,
          }))
        : [];
    sendConsolePage(
      res,
      BookingPanel,
      {
        booking,
        facilityName: facility?.name ?? booking.facility,
        timeType: timeTypes.find((t) => t.id === booking.timeTypeId),
        careType: careTypes.find((c) => c.id === booking.careTypeId),
        revealed: extra.revealed ? booking.subjectOfCare : undefined,
        masked: maskSubjectOfCare(booking.subjectOfCare),
        rebookOptions: options,
        ...(extra.error ? { error: extra.error } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
      },
      extra.error ? 409 : 200,
    );
  };

  const DONE: Record<string, string> = {
    cancelled: 'Klart: avbokad.',
    rebooked: 'Klart: flyttad till den nya tiden.',
    booked: 'Klart: bokad.',
  };
  router.get('/bookings/:id', (req, res) => {
    const notice = typeof req.query['done'] === 'string' ? DONE[req.query['done']] : undefined;
    return bookingPanel(req, res, notice ? { notice } : {});
  });
  router.post('/bookings/:id/reveal', async (req, res) => {
    // Who looked at whose number is an access-log matter; the number itself stays out of the log.
    deps.audit('personnummer revealed in the console', { bookingId: String(req.params['id']) });
    await bookingPanel(req, res, { revealed: true });
  });
  router.post('/bookings/:id/cancel', async (req, res) => {
    const id = String(req.params['id']);
    const error = await attempt(async () => {
      const form = formFields(cancelForm, req.body);
      const input = readInput(cancelInput, form.message ? { message: form.message } : {});
      const booking = await store.getBooking(id);
      if (booking?.isInvitation) await withdrawInvitation(service, id, input);
      else await cancelForPatient(service, id, input);
    });
    if (error) return bookingPanel(req, res, { error });
    res.redirect(303, `/console/bookings/${encodeURIComponent(id)}?done=cancelled`);
  });
  router.post('/bookings/:id/rebook', async (req, res) => {
    const id = String(req.params['id']);
    const error = await attempt(async () => {
      const form = formFields(rebookForm, req.body);
      await rebookForPatient(service, id, readInput(rebookInput, { slotId: form.slotId }));
    });
    if (error) return bookingPanel(req, res, { error });
    res.redirect(303, `/console/bookings/${encodeURIComponent(id)}?done=rebooked`);
  });
  return router;
}
