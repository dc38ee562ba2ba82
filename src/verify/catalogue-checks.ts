/**
 * Checks that only read: reference data, the Actor header, SOAPAction,
 * availability, unknown ids, and the contract documents.
 */
import {
  GetAllCareTypes,
  GetAllHealthcareFacilities,
  GetAllPerformers,
  GetAllTimeTypes,
  GetAvailableDates,
  GetBookingDetails,
  schedulingInteractions,
} from '../contracts/scheduling.ts';
import { NS } from '../contracts/namespaces.ts';
import type { SoapExchange } from '../soap-client/soap-client.ts';
import { parseXml, type XmlElement } from '../xml/parse.ts';
import { encodeRequest, wrapInEnvelope } from '../soap-client/request-envelope.ts';
import { checks, type CheckDefinition } from './check-catalogue.ts';
import {
  evidenceOf,
  outcomeOf,
  type Evidence,
  type Slot,
  type VerifyContext,
} from './verify-context.ts';

/** What the reference data said; later checks pick a second served facility from it. */
export interface ReferenceData {
  readonly timeTypeIds: ReadonlySet<string>;
  readonly performers: ReadonlySet<string>;
  readonly facilities: readonly string[];
}

/** Forward compatibility (RIV-TA): a receiver ignores what it does not know in another namespace. */
const UNKNOWN_HEADER =
  '<x:TraceContext xmlns:x="urn:example:tidbok-verify:1">verify</x:TraceContext>';
const UNKNOWN_ELEMENT =
  '<x:futureFilter xmlns:x="urn:example:tidbok-verify:1">all</x:futureFilter>';

/** `SE2321000016-1hz5` → `se2321000016-1HZ5`: the same HSA-id in other letter case. */
function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

const unanswered = (exchange: SoapExchange) => exchange.fault !== undefined || !exchange.lenient;

/** GetAll* answer; the Actor header and SOAPAction make no difference. */
export async function checkReferenceData(ctx: VerifyContext): Promise<ReferenceData> {
  const { facility, actor } = ctx;
  const subject_of_care = ctx.options.subjectOfCare;
  const headers = { logicalAddress: facility, actor };
  const timeTypesRequest = { healthcare_facility: facility, careTypeIDs: [], subject_of_care };
  const [timeTypes, careTypes, performers, facilities] = await Promise.all([
    ctx.client.call(GetAllTimeTypes, timeTypesRequest, headers),
    ctx.client.call(
      GetAllCareTypes,
      { healthcare_facility: facility, timeTypeIDs: [], performer: [], subject_of_care },
      headers,
    ),
    ctx.client.call(
      GetAllPerformers,
      { healthcare_facility: facility, timeTypeIDs: [], careTypeIDs: [], subject_of_care },
      headers,
    ),
    ctx.client.call(
      GetAllHealthcareFacilities,
      { healthcare_facility: facility, subject_of_care },
      headers,
    ),
  ]);
  const idsOf = (exchange: SoapExchange<typeof GetAllTimeTypes>) =>
    (exchange.lenient?.ListOfTimeTypes ?? [])
      .map((t) => t.timeTypeId ?? '')
      .sort()
      .join(',');

  const failed = [timeTypes, careTypes, performers, facilities].filter(unanswered);
  ctx.record(
    checks.referenceData,
    failed.length > 0
      ? `${failed[0]!.operation} answered with ${outcomeOf(failed[0]!)}`
      : undefined,
    failed.map((e) => evidenceOf(`${e.operation} for ${facility}`, e)),
  );

  const withoutActor = await ctx.client.call(GetAllTimeTypes, timeTypesRequest, {
    logicalAddress: facility,
  });
  ctx.record(
    checks.actorOptional,
    unanswered(withoutActor)
      ? `without Actor the answer was ${outcomeOf(withoutActor)}`
      : idsOf(withoutActor) !== idsOf(timeTypes)
        ? `without Actor the time types were [${idsOf(withoutActor)}], with it [${idsOf(timeTypes)}]`
        : undefined,
    [evidenceOf('without Actor', withoutActor), evidenceOf('with Actor', timeTypes)],
  );

  const soapActions: [string, string | null][] = [
    ['none', null],
    ['empty', '""'],
    ['wrong', '"urn:riv:crm:scheduling:NoSuchOperationResponder:1:NoSuchOperation"'],
  ];
  const variants = await Promise.all(
    soapActions.map(([, soapAction]) =>
      ctx.client.call(GetAllTimeTypes, timeTypesRequest, { ...headers, soapAction }),
    ),
  );
  const differing = variants.findIndex((v) => unanswered(v) || idsOf(v) !== idsOf(timeTypes));
  ctx.record(
    checks.soapAction,
    differing < 0
      ? undefined
      : `with ${soapActions[differing]![0]} SOAPAction GetAllTimeTypes answered ${outcomeOf(variants[differing]!)}` +
          (unanswered(variants[differing]!) ? '' : ', not the same time types'),
    differing < 0
      ? []
      : [evidenceOf(`${soapActions[differing]![0]} SOAPAction`, variants[differing]!)],
  );

  const sameAnswer = async (label: string, check: CheckDefinition, envelope: string) => {
    const answer = await ctx.client.post(GetAllTimeTypes, envelope);
    ctx.record(
      check,
      unanswered(answer)
        ? `${label}, GetAllTimeTypes answered ${outcomeOf(answer)}`
        : idsOf(answer) !== idsOf(timeTypes)
          ? `${label}, the time types were [${idsOf(answer)}], not [${idsOf(timeTypes)}]`
          : undefined,
      [evidenceOf(label, answer)],
    );
  };
  const body = encodeRequest(GetAllTimeTypes, timeTypesRequest);
  await Promise.all([
    sameAnswer(
      `with LogicalAddress ${swapCase(facility)}`,
      checks.addressCase,
      wrapInEnvelope(body, { logicalAddress: swapCase(facility), actor }),
    ),
    sameAnswer(
      'with an unknown header and an unknown element at the end of the body',
      checks.extensionsIgnored,
      wrapInEnvelope(body.replace(/(<\/[^>]+>)$/, `${UNKNOWN_ELEMENT}$1`), headers).replace(
        '</soapenv:Header>',
        `${UNKNOWN_HEADER}</soapenv:Header>`,
      ),
    ),
  ]);

  return {
    timeTypeIds: new Set((timeTypes.lenient?.ListOfTimeTypes ?? []).map((t) => t.timeTypeId ?? '')),
    performers: new Set((performers.lenient?.performerInfos ?? []).map((p) => p.perfomer ?? '')),
    facilities: (facilities.lenient?.healthcareFacilityInfos ?? []).flatMap((f) =>
      f.healthcare_facility ? [f.healthcare_facility] : [],
    ),
  };
}

/**
 * GetAvailableDates and GetAvailableTimeslots over the window: they agree,
 * offer nothing past, and offer only codes the reference data names.
 * Returns the free slots, earliest first.
 */
export async function checkAvailability(
  ctx: VerifyContext,
  reference: ReferenceData,
): Promise<Slot[]> {
  const [dates, timeslots] = await Promise.all([
    ctx.client.call(GetAvailableDates, ctx.availabilityRequest(), {
      logicalAddress: ctx.facility,
      actor: ctx.actor,
    }),
    ctx.freeSlots(),
  ]);
  const slots = [...timeslots.slots].sort((a, b) =>
    (a.startTimeInclusive ?? '').localeCompare(b.startTimeInclusive ?? ''),
  );
  const evidence = [
    evidenceOf('GetAvailableDates', dates),
    evidenceOf('GetAvailableTimeslots', timeslots.exchange),
  ];

  const offeredDays = new Set(
    (dates.lenient?.performerAvailabilityByDate ?? []).map((d) => d.date ?? ''),
  );
  const slotDays = new Set(slots.map((s) => (s.startTimeInclusive ?? '').slice(0, 8)));
  const onlyDates = [...offeredDays].filter((d) => !slotDays.has(d)).sort();
  const onlySlots = [...slotDays].filter((d) => !offeredDays.has(d)).sort();
  ctx.record(
    checks.datesMatchTimeslots,
    unanswered(dates) || unanswered(timeslots.exchange)
      ? `GetAvailableDates answered ${outcomeOf(dates)}, GetAvailableTimeslots ${outcomeOf(timeslots.exchange)}`
      : onlyDates.length > 0
        ? `GetAvailableDates offers ${onlyDates.join(', ')} but GetAvailableTimeslots has no slot that day`
        : onlySlots.length > 0
          ? `GetAvailableTimeslots has slots on ${onlySlots.join(', ')} but GetAvailableDates does not name the day`
          : undefined,
    evidence,
  );

  const now = ctx.nowTs();
  const pastDate = [...offeredDays].find((d) => d < now.slice(0, 8));
  const pastSlot = slots.find((s) => (s.startTimeInclusive ?? '') < now);
  ctx.record(
    checks.noPastSlots,
    pastDate
      ? `GetAvailableDates offers ${pastDate}, a past day`
      : pastSlot
        ? `GetAvailableTimeslots offers a slot starting ${pastSlot.startTimeInclusive}, before now (${now})`
        : undefined,
    evidence,
  );

  const unknownTimeType = slots.find(
    (s) => s.timeTypeID !== undefined && !reference.timeTypeIds.has(s.timeTypeID),
  );
  const unknownPerformer = slots.find(
    (s) => s.performer !== undefined && !reference.performers.has(s.performer),
  );
  if (unknownTimeType || unknownPerformer) {
    const index = ctx.results.findIndex((r) => r.id === checks.referenceData.id);
    if (index >= 0 && ctx.results[index]!.passed)
      ctx.results[index] = {
        ...checks.referenceData,
        passed: false,
        reason: unknownTimeType
          ? `a slot of time type ${unknownTimeType.timeTypeID} is offered, but GetAllTimeTypes does not list it`
          : `a slot of performer ${unknownPerformer!.performer} is offered, but GetAllPerformers does not list them`,
        evidence: [evidenceOf('GetAvailableTimeslots', timeslots.exchange)],
      };
  }
  return slots.filter((s) => (s.startTimeInclusive ?? '') >= now);
}

/** Unknown ids: GetBookingDetails faults, GetAllHealthcareFacilities lists nothing. */
export async function checkUnknownBooking(ctx: VerifyContext): Promise<void> {
  const unknownId = `tidbok-verify-unknown-${ctx.options.now().toString(36)}`;
  const [details, facilities] = await Promise.all([
    ctx.client.call(
      GetBookingDetails,
      { healthcare_facility: ctx.facility, bookingId: unknownId },
      { logicalAddress: ctx.facility, actor: ctx.actor },
    ),
    ctx.client.call(
      GetAllHealthcareFacilities,
      {
        healthcare_facility: ctx.facility,
        subject_of_care: ctx.options.subjectOfCare,
        bookingId: unknownId,
      },
      { logicalAddress: ctx.facility, actor: ctx.actor },
    ),
  ]);
  ctx.record(
    checks.unknownBooking,
    details.fault ? undefined : `the answer was ${outcomeOf(details)}, not a SOAP Fault`,
    [evidenceOf('GetBookingDetails with an unknown bookingId', details)],
  );
  const listed = facilities.lenient?.healthcareFacilityInfos ?? [];
  ctx.record(
    checks.facilitiesUnknownBooking,
    unanswered(facilities)
      ? `the answer was ${outcomeOf(facilities)}, not an empty list`
      : listed.length > 0
        ? `${listed.length} facilities were listed for a bookingId that does not exist`
        : undefined,
    [evidenceOf('GetAllHealthcareFacilities with an unknown bookingId', facilities)],
  );
}

function schemaLocations(element: XmlElement, into: string[] = []): string[] {
  if (element.ns === NS.xs && (element.local === 'import' || element.local === 'include')) {
    const location = element.attributes.get('schemaLocation');
    if (location) into.push(location);
  }
  for (const child of element.children) schemaLocations(child, into);
  return into;
}

/** Each scheduling address answers ?wsdl with its WSDL, and every schema import resolves. */
export async function checkWsdl(ctx: VerifyContext): Promise<void> {
  const fetched = new Map<string, Promise<string | undefined>>();
  const problems: Evidence[] = [];
  const fetchDocument = (
    url: string,
    expect: { ns: string; local: string },
    from: string,
  ): Promise<string | undefined> => {
    let pending = fetched.get(url);
    if (!pending) {
      pending = ctx.client.get(url).then((answer): Promise<string | undefined> | undefined => {
        const problem = (detail: string) => {
          problems.push({ label: `GET ${url} (from ${from})`, detail });
          return undefined;
        };
        if (answer.status !== 200) return problem(answer.error ?? `HTTP ${answer.status}`);
        let root: XmlElement;
        try {
          root = parseXml(answer.text);
        } catch (err) {
          return problem(`not well-formed: ${(err as Error).message}`);
        }
        if (root.ns !== expect.ns || root.local !== expect.local)
          return problem(
            `the root is {${root.ns}}${root.local}, not {${expect.ns}}${expect.local}`,
          );
        const locations = schemaLocations(root).map((l) => new URL(l, url).href);
        return Promise.all(
          locations.map((l) => fetchDocument(l, { ns: NS.xs, local: 'schema' }, url)),
        ).then(() => answer.text);
      });
      fetched.set(url, pending);
    }
    return pending;
  };
  await Promise.all(
    schedulingInteractions.map(async (interaction) => {
      const url = `${ctx.client.urlOf(interaction)}?wsdl`;
      const text = await fetchDocument(
        url,
        { ns: NS.wsdl, local: 'definitions' },
        interaction.name,
      );
      if (text !== undefined && !text.includes(`targetNamespace="${interaction.wsdlNs}"`))
        problems.push({
          label: `GET ${url}`,
          detail: `the WSDL's targetNamespace is not ${interaction.wsdlNs}`,
        });
    }),
  );
  ctx.record(
    checks.wsdl,
    problems.length > 0 ? `${problems[0]!.label}: ${problems[0]!.detail}` : undefined,
    problems.slice(0, 5),
  );
}
