/**
 * The simulator's side of the 1177 flow: the calls MVK makes, through the
 * project's SOAP client (the contract codec as a consumer), each logged in
 * the session's SOAP log.
 *
 * @module
 */
import {
  CancelBooking,
  GetAllTimeTypes,
  GetAvailableDates,
  GetAvailableTimeslots,
  GetSubjectOfCareSchedule,
  MakeBooking,
  UpdateBooking,
} from '../../contracts/scheduling.ts';
import { addDays, instantToDt } from '../../domain/local-time.ts';
import { createSoapClient, type SoapExchange } from '../../soap-client/soap-client.ts';
import { logExchange, type OfferedSlot, type SimulatorState } from './simulator-state.ts';

/** How far ahead the simulator looks for free times, as MVK's default search does. */
export const SEARCH_DAYS = 28;

/** The patient's name MVK sends from the citizen's profile (the simulator has none). */
const PATIENT = { firstName: 'Tolvan', lastName: 'Tolvansson' } as const;

/** The patient and unit the calls are for (both chosen). */
export interface MvkContext {
  readonly state: SimulatorState & { subjectOfCare: string; facility: string };
  readonly baseUrl: string;
  readonly now: number;
}

/** Whether the state has a patient and a unit to call for. */
export function isReady(
  state: SimulatorState,
): state is SimulatorState & { subjectOfCare: string; facility: string } {
  return state.subjectOfCare !== undefined && state.facility !== undefined;
}

function clientOf(ctx: MvkContext) {
  return createSoapClient({
    baseUrl: ctx.baseUrl,
    timeoutMs: 15_000,
    onExchange: (exchange) => logExchange(ctx.state, exchange),
  });
}

function headersOf(ctx: MvkContext) {
  return {
    logicalAddress: ctx.state.logicalAddress ?? ctx.state.facility,
    actor: { actorId: ctx.state.subjectOfCare, actorType: 'subject_of_care' },
  };
}

/** A short Swedish sentence on what went wrong with an exchange, or undefined when it went well. */
export function problemOf(exchange: SoapExchange): string | undefined {
  if (exchange.transportError) return `Inget svar från producenten (${exchange.transportError}).`;
  if (exchange.fault) return `SOAP-fel: ${exchange.fault.message}`;
  const result = exchange.lenient as { resultCode?: string; resultText?: string } | undefined;
  if (result?.resultCode === 'ERROR') return result.resultText ?? 'Producenten sa nej.';
  if (!exchange.lenient) return `Svaret gick inte att läsa (HTTP ${exchange.status}).`;
  return undefined;
}

function availability(ctx: MvkContext, from: string, to: string) {
  const { state } = ctx;
  return {
    healthcare_facility: state.facility,
    ...(state.target ? { bookingId: state.target.bookingId } : {}),
    startDateInclusive: from,
    endDateInclusive: to,
    performer: [],
    ...(state.timeType ? { timeTypeID: state.timeType } : {}),
    subject_of_care: state.subjectOfCare,
  };
}

/** What the simulator page shows: time types, free dates, the free times of a date, my bookings. */
export interface MvkView {
  readonly timeTypes: readonly { readonly id: string; readonly name: string }[];
  readonly dates: readonly string[];
  readonly slots: readonly OfferedSlot[];
  readonly bookings: readonly OfferedSlot[];
  readonly problems: readonly string[];
}

/** Makes the reading calls for one page. `date` (yyyyMMdd) asks for that day's free times too. */
export async function readView(ctx: MvkContext, date: string | undefined): Promise<MvkView> {
  const client = clientOf(ctx);
  const headers = headersOf(ctx);
  const { state } = ctx;
  const today = instantToDt(ctx.now);
  const [timeTypes, dates, schedule] = await Promise.all([
    client.call(
      GetAllTimeTypes,
      {
        healthcare_facility: state.facility,
        careTypeIDs: [],
        subject_of_care: state.subjectOfCare,
      },
      headers,
    ),
    client.call(GetAvailableDates, availability(ctx, today, addDays(today, SEARCH_DAYS)), headers),
    client.call(
      GetSubjectOfCareSchedule,
      { healthcare_facility: state.facility, subject_of_care: state.subjectOfCare },
      headers,
    ),
  ]);
  const freeDates = [
    ...new Set((dates.lenient?.performerAvailabilityByDate ?? []).map((d) => d.date ?? '')),
  ]
    .filter((d) => d !== '')
    .sort();
  const chosen = date !== undefined && freeDates.includes(date) ? date : undefined;
  const slots = chosen
    ? await client.call(GetAvailableTimeslots, availability(ctx, chosen, chosen), headers)
    : undefined;
  const offered = [...(slots?.lenient?.timeslotDetail ?? [])].sort((a, b) =>
    (a.startTimeInclusive ?? '').localeCompare(b.startTimeInclusive ?? ''),
  );
  state.offered = offered;
  return {
    timeTypes: (timeTypes.lenient?.ListOfTimeTypes ?? []).map((t) => ({
      id: t.timeTypeId ?? '',
      name: t.timeTypeName ?? t.timeTypeId ?? '',
    })),
    dates: freeDates,
    slots: offered,
    bookings: [...(schedule.lenient?.timeslotDetail ?? [])].sort((a, b) =>
      (a.startTimeInclusive ?? '').localeCompare(b.startTimeInclusive ?? ''),
    ),
    problems: [timeTypes, dates, schedule, ...(slots ? [slots] : [])]
      .map(problemOf)
      .filter((p): p is string => p !== undefined),
  };
}

/** The requestedTimeslot MVK sends: the offered slot echoed back. */
function requested(ctx: MvkContext, slot: OfferedSlot) {
  return {
    startTimeInclusive: slot.startTimeInclusive,
    endTimeExclusive: slot.endTimeExclusive,
    healthcare_facility: slot.healthcare_facility ?? ctx.state.facility,
    performer: slot.performer,
    subject_of_care: ctx.state.subjectOfCare,
    resourceID: slot.resourceID,
    timeTypeID: slot.timeTypeID,
    careTypeID: slot.careTypeID,
  };
}

/**
 * Books `slot`: MakeBooking for a new booking or an open invitation (its id
 * as bookingId), UpdateBooking when rebooking. Returns the exchange.
 */
export async function book(ctx: MvkContext, slot: OfferedSlot): Promise<SoapExchange> {
  const client = clientOf(ctx);
  const headers = headersOf(ctx);
  const target = ctx.state.target;
  if (target?.mode === 'rebook') {
    return client.call(
      UpdateBooking,
      { requestedTimeslot: { ...requested(ctx, slot), bookingId: target.bookingId } },
      headers,
    );
  }
  return client.call(
    MakeBooking,
    {
      healthcare_facility_med: ctx.state.facility,
      requestedTimeslot: {
        ...requested(ctx, slot),
        bookingId: target?.mode === 'invitation' ? target.bookingId : slot.bookingId,
      },
      subject_of_care_info: PATIENT,
    },
    headers,
  );
}

export function cancel(ctx: MvkContext, bookingId: string): Promise<SoapExchange> {
  return clientOf(ctx).call(
    CancelBooking,
    { healthcare_facility: ctx.state.facility, bookingId },
    headersOf(ctx),
  );
}
