/**
 * crm:scheduling 1.1: the eleven interactions we serve, described once.
 *
 * Each description is a literal transcription of the national responder XSD
 * (TD_SCHEDULING_1_1_0_R): same element names (including the misspelt
 * `perfomer`), namespaces, order and cardinality. `test/contracts` compares it
 * with the national files, so a transcription slip fails a test.
 */
import type {
  ComplexType,
  ContractBundle,
  CoreSchema,
  ElementDecl,
  SimpleType,
  TypeDef,
} from './model.ts';
import {
  actorHeader,
  headersSchema,
  logicalAddressHeader,
  many,
  one,
  opt,
  ref,
  registrySchema,
  resultCodeEnum,
  rivInteraction,
  sequence,
  stringType,
  tsType,
  xsBoolean,
  xsString,
  DT_PATTERN,
} from './common.ts';
import { NS, schedulingExtNs, schedulingResponderNs } from './namespaces.ts';
import { checkDt } from '../domain/local-time.ts';
import { checkSubjectOfCareId } from '../domain/personnummer.ts';

const core = NS.schedulingCore;
const core11 = NS.schedulingCore11;

const plain = (name: string) => stringType(core, name);

export const HsaIdType = plain('HsaIdType');
export const BookingIdType = plain('BookingIdType');
export const ResourceIDType = plain('ResourceIDType');
export const TimeTypeIDType = plain('TimeTypeIDType');
export const CareTypeIDType = plain('CareTypeIDType');

/** Published without the broken `^…$` anchors (rivta-spec §2.3 item 1); checked in code. */
export const SubjectOfCareIdType = stringType(core, 'SubjectOfCareIdType', {
  pattern: '[0-9]{8}[0-9pPtTfF][0-9]{3}',
  check: checkSubjectOfCareId,
});

export const ResultCodeEnum = resultCodeEnum(core);
export const TS = tsType(core);
export const DT = stringType(core, 'DT', { pattern: DT_PATTERN, check: checkDt });

/** The 1.1 additions live as global elements in `urn:riv:crm:scheduling:1.1`. */
export const core11Elements = {
  firstName: xsString,
  middleName: xsString,
  lastName: xsString,
  isInvitation: xsBoolean,
} as const;

export const TimeslotType = sequence(
  core,
  'TimeslotType',
  [
    opt(core, 'startTimeInclusive', TS),
    opt(core, 'endTimeExclusive', TS),
    one(core, 'healthcare_facility', HsaIdType),
    opt(core, 'performer', HsaIdType),
    opt(core, 'bookingId', BookingIdType),
    opt(core, 'subject_of_care', SubjectOfCareIdType),
    opt(core, 'purpose', xsString),
    opt(core, 'reason', xsString),
    opt(core, 'resourceName', xsString),
    opt(core, 'healthcare_facility_name', xsString),
    opt(core, 'performerName', xsString),
    opt(core, 'resourceID', ResourceIDType),
    opt(core, 'timeTypeName', xsString),
    opt(core, 'timeTypeID', TimeTypeIDType),
    opt(core, 'careTypeName', xsString),
    opt(core, 'careTypeID', CareTypeIDType),
    opt(core, 'cancel_booking_allowed', xsBoolean),
    opt(core, 'rebooking_allowed', xsBoolean),
    opt(core, 'message_allowed', xsBoolean),
    ref(opt(core11, 'isInvitation', xsBoolean)),
  ],
  // The one RIV-TA type without a closing xs:any (rivta-spec §2.3 item 5).
  false,
);

export const SubjectOfCareType = sequence(core, 'SubjectOfCareType', [
  opt(core, 'phone', xsString),
  opt(core, 'email', xsString),
  opt(core, 'address', xsString),
  opt(core, 'coaddress', xsString),
  ref(one(core11, 'firstName', xsString)),
  ref(opt(core11, 'middleName', xsString)),
  ref(one(core11, 'lastName', xsString)),
]);

export const TimeTypeType = sequence(core, 'TimeTypeType', [
  one(core, 'timeTypeName', xsString),
  one(core, 'timeTypeId', TimeTypeIDType),
]);

export const CareTypeType = sequence(core, 'CareTypeType', [
  one(core, 'careTypeName', xsString),
  one(core, 'careTypeId', CareTypeIDType),
]);

export const PerformerInfoType = sequence(core, 'PerformerInfoType', [
  one(core, 'perfomer', HsaIdType),
  one(core, 'firstName', xsString),
  one(core, 'lastName', xsString),
  opt(core, 'title', xsString),
]);

export const HealthcareFacilityInfoType = sequence(core, 'HealthcareFacilityInfoType', [
  one(core, 'healthcare_facility', HsaIdType),
  opt(core, 'healthcare_facility_name', xsString),
]);

/** Every named type of the core schema, in the order the national file declares them. */
export const coreTypes: readonly (ComplexType | SimpleType)[] = [
  TimeslotType,
  BookingIdType,
  HsaIdType,
  SubjectOfCareIdType,
  ResultCodeEnum,
  SubjectOfCareType,
  TimeTypeType,
  CareTypeType,
  ResourceIDType,
  TimeTypeIDType,
  CareTypeIDType,
  TS,
  DT,
  PerformerInfoType,
  HealthcareFacilityInfoType,
];

/** Element constructors bound to one interaction's responder namespace (and its 1.1 ext). */
function elementsOf(name: string) {
  const ns = schedulingResponderNs(name);
  const extNs = schedulingExtNs(name);
  return {
    one: <const N extends string, const T extends TypeDef>(n: N, type: T) => one(ns, n, type),
    opt: <const N extends string, const T extends TypeDef>(n: N, type: T) => opt(ns, n, type),
    many: <const N extends string, const T extends TypeDef>(n: N, type: T) => many(ns, n, type),
    /** `ref` to a global element of the interaction's `…Responder:1.1` ext namespace. */
    extOne: <const N extends string, const T extends TypeDef>(n: N, type: T) =>
      ref(one(extNs, n, type)),
    extMany: <const N extends string, const T extends TypeDef>(n: N, type: T) =>
      ref(many(extNs, n, type)),
    result: () => [one(ns, 'resultCode', ResultCodeEnum), opt(ns, 'resultText', xsString)] as const,
  };
}

type Elements = ReturnType<typeof elementsOf>;

/**
 * One scheduling interaction: `elements` gives the elements of its
 * `<name>Type` and `<name>ResponseType`, built in its responder namespace.
 */
function scheduling<
  const N extends string,
  const Req extends readonly ElementDecl[],
  const Res extends readonly ElementDecl[],
>(
  name: N,
  elements: (e: Elements) => { readonly request: Req; readonly response: Res },
  options: {
    description: string;
    ext?: boolean;
    schemaVersion?: string;
    /** The national WSDL lists the `actor` part before `LogicalAddress` (GetAllCareTypes). */
    actorFirst?: boolean;
  },
) {
  const { actorFirst, ...rest } = options;
  return rivInteraction('crm:scheduling', name, elements(elementsOf(name)), {
    ...rest,
    version: '1.1',
    headers: actorFirst ? [actorHeader, logicalAddressHeader] : [logicalAddressHeader, actorHeader],
  });
}

export const GetSubjectOfCareSchedule = scheduling(
  'GetSubjectOfCareSchedule',
  (e) => ({
    request: [
      e.one('healthcare_facility', HsaIdType),
      e.one('subject_of_care', SubjectOfCareIdType),
    ],
    response: [e.many('timeslotDetail', TimeslotType)],
  }),
  { description: "The patient's bookings and timed invitations at a healthcare facility." },
);

/** GetAvailableDates and GetAvailableTimeslots ask the same question. */
const availabilityRequest = (e: Elements) =>
  [
    e.one('healthcare_facility', HsaIdType),
    e.opt('bookingId', BookingIdType),
    e.one('startDateInclusive', DT),
    e.one('endDateInclusive', DT),
    e.many('performer', HsaIdType),
    e.opt('timeTypeName', xsString),
    e.opt('timeTypeID', TimeTypeIDType),
    e.opt('careTypeName', xsString),
    e.opt('careTypeID', CareTypeIDType),
    e.extOne('subject_of_care', SubjectOfCareIdType),
  ] as const;

const dates = elementsOf('GetAvailableDates');
export const PerformerAvailabilityByDateType = sequence(
  schedulingResponderNs('GetAvailableDates'),
  'PerformerAvailabilityByDateType',
  [
    dates.one('healthcare_facility', HsaIdType),
    dates.opt('performer', HsaIdType),
    dates.one('date', DT),
    dates.opt('resourceName', xsString),
    dates.opt('resourceID', ResourceIDType),
    dates.opt('timeTypeName', xsString),
    dates.opt('timeTypeID', TimeTypeIDType),
    dates.opt('careTypeName', xsString),
    dates.opt('careTypeID', CareTypeIDType),
  ],
);

export const GetAvailableDates = scheduling(
  'GetAvailableDates',
  (e) => ({
    request: availabilityRequest(e),
    response: [e.many('performerAvailabilityByDate', PerformerAvailabilityByDateType)],
  }),
  { ext: true, description: 'Dates with free timeslots the patient can book, per performer.' },
);

export const GetAvailableTimeslots = scheduling(
  'GetAvailableTimeslots',
  (e) => ({ request: availabilityRequest(e), response: [e.many('timeslotDetail', TimeslotType)] }),
  { ext: true, description: 'Free timeslots the patient can book (or move a booking to).' },
);

export const GetBookingDetails = scheduling(
  'GetBookingDetails',
  (e) => ({
    request: [e.one('healthcare_facility', HsaIdType), e.one('bookingId', BookingIdType)],
    response: [e.one('timeslotDetail', TimeslotType)],
  }),
  { description: 'One booking or invitation, with what the patient may do with it.' },
);

export const MakeBooking = scheduling(
  'MakeBooking',
  (e) => ({
    request: [
      e.one('healthcare_facility_med', HsaIdType),
      e.one('requestedTimeslot', TimeslotType),
      e.one('subject_of_care_info', SubjectOfCareType),
      e.opt('notification', xsString),
    ],
    response: [e.opt('bookingId', BookingIdType), ...e.result()],
  }),
  // The national file says version="1.0" although it is the 1.1 schema (rivta-spec §2.3 item 4).
  { schemaVersion: '1.0', description: 'Books a free timeslot, or an open invitation.' },
);

export const UpdateBooking = scheduling(
  'UpdateBooking',
  (e) => ({
    request: [
      e.one('requestedTimeslot', TimeslotType),
      e.opt('subject_of_care_info', SubjectOfCareType),
      e.opt('notification', xsString),
    ],
    response: e.result(),
  }),
  { description: 'Moves a booking or timed invitation to another free timeslot.' },
);

export const CancelBooking = scheduling(
  'CancelBooking',
  (e) => ({
    request: [
      e.one('healthcare_facility', HsaIdType),
      e.one('bookingId', BookingIdType),
      e.opt('message', xsString),
    ],
    response: e.result(),
  }),
  { description: 'Cancels a booking or invitation and frees its timeslot.' },
);

export const GetAllTimeTypes = scheduling(
  'GetAllTimeTypes',
  (e) => ({
    request: [
      e.one('healthcare_facility', HsaIdType),
      e.extMany('careTypeIDs', CareTypeIDType),
      e.extOne('subject_of_care', SubjectOfCareIdType),
    ],
    response: [e.many('ListOfTimeTypes', TimeTypeType)],
  }),
  { ext: true, description: 'The time types a patient can book online at a facility.' },
);

export const GetAllCareTypes = scheduling(
  'GetAllCareTypes',
  (e) => ({
    request: [
      e.one('healthcare_facility', HsaIdType),
      e.many('timeTypeIDs', TimeTypeIDType),
      e.many('performer', HsaIdType),
      e.one('subject_of_care', SubjectOfCareIdType),
    ],
    response: [e.many('careTypes', CareTypeType)],
  }),
  // Part order is part of the Java signature wsimport generates (issue 12 item 11).
  { actorFirst: true, description: 'The care types offered at a facility.' },
);

export const GetAllHealthcareFacilities = scheduling(
  'GetAllHealthcareFacilities',
  (e) => ({
    request: [
      e.one('healthcare_facility', HsaIdType),
      e.one('subject_of_care', SubjectOfCareIdType),
      e.opt('bookingId', BookingIdType),
    ],
    response: [e.many('healthcareFacilityInfos', HealthcareFacilityInfoType)],
  }),
  {
    description:
      'Facilities where a booking (or a new one) can be made on behalf of this facility.',
  },
);

export const GetAllPerformers = scheduling(
  'GetAllPerformers',
  (e) => ({
    request: [
      e.one('healthcare_facility', HsaIdType),
      e.many('timeTypeIDs', TimeTypeIDType),
      e.many('careTypeIDs', CareTypeIDType),
      e.one('subject_of_care', SubjectOfCareIdType),
    ],
    response: [e.many('performerInfos', PerformerInfoType)],
  }),
  { description: 'The performers (care staff) a patient can book at a facility.' },
);

/** All eleven scheduling interactions, in the order we list them. */
export const schedulingInteractions = [
  GetSubjectOfCareSchedule,
  GetAvailableDates,
  GetAvailableTimeslots,
  GetBookingDetails,
  MakeBooking,
  UpdateBooking,
  CancelBooking,
  GetAllTimeTypes,
  GetAllCareTypes,
  GetAllHealthcareFacilities,
  GetAllPerformers,
] as const;

/** `core_components/crm_scheduling_1.1.xsd`. */
export const schedulingCoreSchema = {
  file: 'crm_scheduling_1.1.xsd',
  ns: core,
  version: '1.1',
  description: 'Core types of crm:scheduling 1.1.',
  types: coreTypes,
  elements: [],
} as const satisfies CoreSchema;

/** `core_components/crm_scheduling_1.1_ext.xsd`: the 1.1 additions used by `ref`. */
export const schedulingExtSchema = {
  file: 'crm_scheduling_1.1_ext.xsd',
  ns: core11,
  version: '1.1',
  description: 'Extension elements of crm:scheduling 1.1.',
  types: [],
  elements: Object.entries(core11Elements).map(([name, type]) => ({ name, type })),
} as const satisfies CoreSchema;

/** The TD_SCHEDULING_1_1_0_R package as we publish it. */
export const schedulingBundle = {
  folder: 'crm_scheduling_1.1',
  coreSchemas: [schedulingCoreSchema, schedulingExtSchema, headersSchema, registrySchema],
  interactions: schedulingInteractions,
} as const satisfies ContractBundle;
