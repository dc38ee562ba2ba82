/**
 * Bad input must get the right answer and change nothing: a wrong or
 * missing LogicalAddress, an invalid person id, an impossible date, a missing
 * mandatory element, malformed XML. In a normal run each case is a MakeBooking
 * on a free slot of its own, and afterwards every such slot must still be
 * offered; with `--read-only` each is a GetAvailableTimeslots.
 */
import type { Encodable, Interaction } from '../contracts/model.ts';
import { GetAvailableTimeslots, MakeBooking } from '../contracts/scheduling.ts';
import type { SoapExchange } from '../soap-client/soap-client.ts';
import { encodeRequest, wrapInEnvelope, type RivHeaders } from '../soap-client/request-envelope.ts';
import { checks, type CheckDefinition } from './check-catalogue.ts';
import {
  evidenceOf,
  isOffered,
  outcomeOf,
  type Slot,
  type VerifyContext,
} from './verify-context.ts';

/** A LogicalAddress no producer serves. */
export const UNSERVED_ADDRESS = 'SE0000000000-TIDBOKVERIFY0';
/** Day 32 of December: shaped like a personnummer, but no one is born that day. */
const INVALID_PERSON_ID_DAY = '32';

/** What a case may answer: only a Client fault, or a fault or ERROR. */
type Expect = 'client-fault' | 'fault-or-error';

interface BadCase {
  readonly check: CheckDefinition;
  readonly expect: Expect;
  readonly envelope: string;
}

/** One request kind the cases are built on. */
interface Target<I extends Interaction> {
  readonly interaction: I;
  readonly request: (change: {
    subjectOfCare?: string;
    impossibleDate?: boolean;
  }) => Encodable<I['request']>;
  /** Local name of a mandatory element to leave out. */
  readonly mandatory: string;
  /** The slot the case would book, if it books. */
  readonly slot?: Slot;
}

function invalidPersonId(valid: string): string {
  return valid.slice(0, 6) + INVALID_PERSON_ID_DAY + valid.slice(8);
}

/** 30 February of the year after `ts`, keeping the rest. */
function february30(ts: string | undefined): string | undefined {
  if (ts === undefined) return undefined;
  return `${Number(ts.slice(0, 4)) + 1}0230${ts.slice(8)}`;
}

function withoutElement(xml: string, local: string): string {
  const element = new RegExp(`<((?:[\\w.-]+:)?${local})\\b[^>]*>[\\s\\S]*?</\\1>`);
  if (!element.test(xml)) throw new Error(`the request has no ${local} element to leave out`);
  return xml.replace(element, '');
}

function casesFor<I extends Interaction>(
  ctx: VerifyContext,
  target: () => Target<I>,
  otherFacility: string | undefined,
): { case: BadCase; target: Target<I> }[] {
  const headers: RivHeaders = { logicalAddress: ctx.facility };
  const make = (check: CheckDefinition, expect: Expect, build: (t: Target<I>) => string) => {
    const t = target();
    return { case: { check, expect, envelope: build(t) }, target: t };
  };
  const valid = (t: Target<I>) => encodeRequest(t.interaction, t.request({}));
  const cases = [
    make(checks.addressUnknown, 'client-fault', (t) =>
      wrapInEnvelope(valid(t), { logicalAddress: UNSERVED_ADDRESS }),
    ),
    make(checks.addressMissing, 'client-fault', (t) => wrapInEnvelope(valid(t), {})),
    make(checks.personIdInvalid, 'fault-or-error', (t) =>
      wrapInEnvelope(
        encodeRequest(
          t.interaction,
          t.request({ subjectOfCare: invalidPersonId(ctx.options.subjectOfCare) }),
        ),
        headers,
      ),
    ),
    make(checks.impossibleDate, 'fault-or-error', (t) =>
      wrapInEnvelope(encodeRequest(t.interaction, t.request({ impossibleDate: true })), headers),
    ),
    make(checks.missingElement, 'client-fault', (t) =>
      wrapInEnvelope(withoutElement(valid(t), t.mandatory), headers),
    ),
    make(checks.malformedXml, 'client-fault', (t) => {
      const whole = wrapInEnvelope(valid(t), headers);
      return whole.slice(0, Math.floor(whole.length * 0.6));
    }),
  ];
  if (otherFacility)
    cases.push(
      make(checks.addressMismatch, 'fault-or-error', (t) =>
        wrapInEnvelope(valid(t), { logicalAddress: otherFacility }),
      ),
    );
  else
    ctx.notes.push(
      `${checks.addressMismatch.id} was not run: GetAllHealthcareFacilities named no second facility.`,
    );
  return cases;
}

function makeBookingTarget(
  ctx: VerifyContext,
  pool: readonly Slot[],
): Target<Interaction> | undefined {
  const slot = ctx.takeSlot(pool);
  if (!slot) return undefined;
  const target: Target<typeof MakeBooking> = {
    interaction: MakeBooking,
    slot,
    mandatory: 'subject_of_care_info',
    request: ({ subjectOfCare, impossibleDate }) => {
      const request = ctx.makeBookingRequest(slot, subjectOfCare);
      if (!impossibleDate) return request;
      return {
        ...request,
        requestedTimeslot: {
          ...request.requestedTimeslot,
          startTimeInclusive: february30(slot.startTimeInclusive),
          endTimeExclusive: february30(slot.endTimeExclusive),
        },
      };
    },
  };
  return target as unknown as Target<Interaction>;
}

function availabilityTarget(ctx: VerifyContext): Target<typeof GetAvailableTimeslots> {
  const { start, end } = ctx.window;
  return {
    interaction: GetAvailableTimeslots,
    mandatory: 'endDateInclusive',
    request: ({ subjectOfCare, impossibleDate }) => ({
      healthcare_facility: ctx.facility,
      startDateInclusive: impossibleDate ? `${Number(start.slice(0, 4)) + 1}0230` : start,
      endDateInclusive: end,
      performer: [],
      subject_of_care: subjectOfCare ?? ctx.options.subjectOfCare,
    }),
  };
}

function problemWith(expect: Expect, exchange: SoapExchange): string | undefined {
  if (exchange.transportError) return `no answer (${exchange.transportError})`;
  if (exchange.fault) {
    if (expect === 'client-fault' && !/(^|:)Client(\.|$)/.test(exchange.fault.code))
      return `the fault code is ${exchange.fault.code}, not soap:Client (the request is at fault)`;
    return undefined;
  }
  if (
    expect === 'fault-or-error' &&
    exchange.lenient &&
    'resultCode' in exchange.lenient &&
    exchange.lenient.resultCode === 'ERROR'
  )
    return undefined;
  return `the answer was ${outcomeOf(exchange)}, not ${expect === 'client-fault' ? 'a Client fault' : 'a fault or resultCode=ERROR'}`;
}

/** Runs every bad-input case; in a normal run, checks afterwards that none of them booked. */
export async function checkBadInput(
  ctx: VerifyContext,
  pool: readonly Slot[],
  otherFacility: string | undefined,
): Promise<void> {
  // Each case books a slot of its own; when the pool is used up, a case runs on GetAvailableTimeslots.
  const target = (): Target<Interaction> =>
    (ctx.options.readOnly ? undefined : makeBookingTarget(ctx, pool)) ??
    (availabilityTarget(ctx) as unknown as Target<Interaction>);
  const cases = casesFor(ctx, target, otherFacility);
  const answers = await Promise.all(
    cases.map(({ case: c, target }) => ctx.client.post(target.interaction, c.envelope)),
  );
  for (const answer of answers)
    if (answer.operation === MakeBooking.name)
      ctx.remember(answer as SoapExchange<typeof MakeBooking>);
  const after = ctx.options.readOnly ? undefined : await ctx.freeSlots();

  cases.forEach(({ case: c, target }, i) => {
    const answer = answers[i]!;
    const booked = target.slot && after && !isOffered(target.slot, after.slots);
    const problem =
      problemWith(c.expect, answer) ??
      (booked
        ? `the slot ${target.slot!.startTimeInclusive} is no longer offered: the request booked it`
        : undefined);
    ctx.record(c.check, problem, [
      evidenceOf(c.check.title, answer),
      ...(booked && after ? [evidenceOf('GetAvailableTimeslots afterwards', after.exchange)] : []),
    ]);
  });
}
