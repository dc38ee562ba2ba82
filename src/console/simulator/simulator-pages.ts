/**
 * The 1177 simulator's routes, mounted at `/simulator` behind the console
 * session: a GET shows the page (making the reading SOAP calls), each POST
 * makes one writing call (or changes the search) and redirects back, so a
 * reload never books twice.
 *
 * @module
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SchedulingService } from '../../domain/scheduling-service.ts';
import { checkSubjectOfCareId } from '../../domain/personnummer.ts';
import { consoleSession } from '../console-auth.ts';
import { renderPage } from '../render-page.tsx';
import { SimulatorPage } from '../views/simulator-page.tsx';
import { book, cancel, isReady, problemOf, readView, type MvkContext } from './mvk-calls.ts';
import { SimulatorStates, type SimulatorState } from './simulator-state.ts';

export interface SimulatorPagesDeps {
  readonly service: SchedulingService;
  /** This tidbok's SOAP base URL once it listens: the default producer. */
  readonly soapBaseUrl: () => string | undefined;
  readonly states?: SimulatorStates;
}

const blankToUndefined = z
  .string()
  .max(300)
  .transform((v) => v.trim())
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const searchForm = z.object({
  subjectOfCare: z
    .string()
    .max(20)
    .transform((v) => v.replace(/[\s-]/g, ''))
    .optional(),
  facility: z.string().max(64),
  timeType: blankToUndefined,
  baseUrl: blankToUndefined.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v)),
  logicalAddress: blankToUndefined,
});
const bookingForm = z.object({ bookingId: z.string().trim().min(1).max(128) });
const targetForm = z.object({
  mode: z.enum(['invitation']).optional(),
  bookingId: z.string().trim().max(128),
});
const slotForm = z.object({ slot: z.coerce.number().int().min(0) });
const dateQuery = z.object({
  date: z
    .string()
    .regex(/^\d{8}$/)
    .optional(),
});

export function simulatorPages(deps: SimulatorPagesDeps): Router {
  const states = deps.states ?? new SimulatorStates();
  const router = express.Router();
  const stateOf = (res: Response) => states.of(consoleSession(res).id);
  const ownBaseUrl = () => deps.soapBaseUrl() ?? 'http://127.0.0.1:8080';
  const contextOf = (state: SimulatorState): MvkContext | undefined =>
    isReady(state)
      ? { state, baseUrl: state.baseUrl ?? ownBaseUrl(), now: deps.service.now() }
      : undefined;
  const back = (res: Response, state: SimulatorState, flash?: SimulatorState['flash']) => {
    if (flash) state.flash = flash;
    res.redirect(303, '/simulator/');
  };

  router.get('/', async (req: Request, res: Response) => {
    const state = stateOf(res);
    const { date } = dateQuery.catch({}).parse(req.query);
    const ctx = contextOf(state);
    const view = ctx ? await readView(ctx, date) : undefined;
    const facilities = await deps.service.store.listFacilities();
    const page = renderPage(
      SimulatorPage({
        csrfToken: consoleSession(res).csrfToken,
        state,
        facilities,
        ownBaseUrl: ownBaseUrl(),
        date,
        ...(view ? { view } : {}),
      }),
    );
    delete state.flash;
    res.type('html').send(page);
  });

  router.post('/search', (req, res) => {
    const state = stateOf(res);
    const form = searchForm.safeParse(req.body);
    if (!form.success)
      return back(res, state, { kind: 'error', text: 'Sökningen saknar uppgifter.' });
    const { subjectOfCare, facility, timeType, baseUrl, logicalAddress } = form.data;
    if (subjectOfCare) {
      if (checkSubjectOfCareId(subjectOfCare) !== undefined)
        return back(res, state, {
          kind: 'error',
          text: 'Personnumret ska ha 12 siffror, ååååmmddnnnn.',
        });
      state.subjectOfCare = subjectOfCare;
    }
    if (!state.subjectOfCare)
      return back(res, state, { kind: 'error', text: 'Skriv ett personnummer.' });
    state.facility = facility;
    state.timeType = timeType;
    state.baseUrl = baseUrl;
    state.logicalAddress = logicalAddress;
    delete state.target;
    back(res, state);
  });

  router.post('/book', async (req, res) => {
    const state = stateOf(res);
    const ctx = contextOf(state);
    const form = slotForm.safeParse(req.body);
    const slot = form.success ? state.offered[form.data.slot] : undefined;
    if (!ctx || !slot) return back(res, state, { kind: 'error', text: 'Välj en ledig tid först.' });
    const exchange = await book(ctx, slot);
    const problem = problemOf(exchange);
    if (problem) return back(res, state, { kind: 'error', text: problem });
    const bookingId =
      (exchange.lenient as { bookingId?: string } | undefined)?.bookingId ??
      state.target?.bookingId;
    delete state.target;
    back(res, state, { kind: 'notice', text: `Bokad. Boknings-id: ${bookingId ?? 'okänt'}.` });
  });

  router.post('/cancel', async (req, res) => {
    const state = stateOf(res);
    const ctx = contextOf(state);
    const form = bookingForm.safeParse(req.body);
    if (!ctx || !form.success)
      return back(res, state, { kind: 'error', text: 'Ingen bokning vald.' });
    const problem = problemOf(await cancel(ctx, form.data.bookingId));
    back(
      res,
      state,
      problem
        ? { kind: 'error', text: problem }
        : { kind: 'notice', text: `Avbokad: ${form.data.bookingId}.` },
    );
  });

  router.post('/rebook', (req, res) => {
    const state = stateOf(res);
    const form = bookingForm.safeParse(req.body);
    if (!form.success) return back(res, state, { kind: 'error', text: 'Ingen bokning vald.' });
    state.target = { mode: 'rebook', bookingId: form.data.bookingId };
    back(res, state);
  });

  /** Starts booking an open invitation by its id, or (empty id) stops rebooking/inviting. */
  router.post('/target', (req, res) => {
    const state = stateOf(res);
    const form = targetForm.safeParse(req.body);
    if (!form.success) return back(res, state, { kind: 'error', text: 'Ogiltigt boknings-id.' });
    if (form.data.bookingId === '') delete state.target;
    else state.target = { mode: 'invitation', bookingId: form.data.bookingId };
    back(res, state);
  });
  return router;
}
