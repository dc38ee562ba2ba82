/**
 * What clinic staff may do to bookings and invitations, shared by the admin
 * HTTP API and the CLI: validate the request, then call the same
 * SchedulingService methods as the SOAP operations (origin `staff`), so each
 * change runs the same rules in one transaction with its EI outbox messages
 * (rivta-spec §3.1 item 1, must-have 21).
 *
 * Input arrives as untyped JSON (or CLI flags turned into the same shape).
 * Problems are {@link StaffActionError}s; none of their messages ever holds
 * a personnummer.
 *
 * @module
 */
import { checkPurpose } from '../calendar/calendar-file.ts';
import { checkDt, checkTs } from '../domain/local-time.ts';
import { checkSubjectOfCareId, maskSubjectOfCare } from '../domain/personnummer.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import type { ChangeOutcome } from '../domain/refusals.ts';
import type { Booking, PatientDetails, Timeslot } from '../domain/types.ts';

/** Why a staff action was not done; `kind` decides the HTTP status (400, 404, 409). */
export class StaffActionError extends Error {
  override readonly name = 'StaffActionError';
  constructor(
    /** `invalid`: the request itself is wrong; `not-found`: it names nothing stored; `refused`: the booking rules said no. */
    readonly kind: 'invalid' | 'not-found' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

/** A booking as staff see it through the API and CLI: the personnummer masked. */
export interface BookingView {
  readonly id: string;
  readonly kind: 'booking' | 'timed-invitation' | 'open-invitation';
  readonly status: Booking['status'];
  readonly facility: string;
  readonly subjectOfCare: string;
  readonly patient: { readonly firstName: string; readonly lastName: string };
  readonly slotId?: string;
  readonly start?: string;
  readonly end?: string;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  readonly performer?: string;
  readonly purpose?: string;
  readonly expiresOn?: string;
  readonly version: number;
  /** Text the patient must be told (a time type's booking info), when there is one. */
  readonly info?: string;
}

export function bookingView(booking: Booking, info?: string): BookingView {
  return {
    id: booking.id,
    kind: !booking.isInvitation
      ? 'booking'
      : booking.slotId
        ? 'timed-invitation'
        : 'open-invitation',
    status: booking.status,
    facility: booking.facility,
    subjectOfCare: maskSubjectOfCare(booking.subjectOfCare),
    patient: { firstName: booking.patient.firstName, lastName: booking.patient.lastName },
    ...(booking.slotId !== undefined ? { slotId: booking.slotId } : {}),
    ...(booking.start ? { start: booking.start.ts } : {}),
    ...(booking.end ? { end: booking.end.ts } : {}),
    timeTypeId: booking.timeTypeId,
    ...(booking.careTypeId !== undefined ? { careTypeId: booking.careTypeId } : {}),
    ...(booking.performer !== undefined ? { performer: booking.performer } : {}),
    ...(booking.purpose !== undefined ? { purpose: booking.purpose } : {}),
    ...(booking.expiresOn !== undefined ? { expiresOn: booking.expiresOn } : {}),
    version: booking.version,
    ...(info !== undefined ? { info } : {}),
  };
}

// ---------------------------------------------------------------------------
// Reading untyped input

const MAX_TEXT = 200;
const MAX_PURPOSE = 20_000;

/** Collects every problem of a request, then fails once with all of them. */
class Fields {
  readonly problems: string[] = [];
  readonly #o: Record<string, unknown>;
  readonly #prefix: string;

  constructor(value: unknown, prefix = '') {
    this.#prefix = prefix;
    if (value === undefined || value === null) this.#o = {};
    else if (typeof value === 'object' && !Array.isArray(value))
      this.#o = value as Record<string, unknown>;
    else {
      this.#o = {};
      this.problems.push(`${prefix || 'the request body'} must be a JSON object`);
    }
  }

  has(name: string): boolean {
    return this.#o[name] !== undefined && this.#o[name] !== null;
  }

  raw(name: string): unknown {
    return this.#o[name];
  }

  text(name: string, required: true, max?: number): string;
  text(name: string, required?: false, max?: number): string | undefined;
  text(name: string, required = false, max = MAX_TEXT): string | undefined {
    const value = this.#o[name];
    if (value === undefined || value === null) {
      if (required) this.problems.push(`${this.#prefix}${name} is required`);
      return required ? '' : undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problems.push(`${this.#prefix}${name} must be a non-empty string`);
      return required ? '' : undefined;
    }
    if (value.length > max) this.problems.push(`${this.#prefix}${name} is longer than ${max}`);
    return value;
  }

  checked(
    name: string,
    check: (v: string) => string | undefined,
    required = false,
  ): string | undefined {
    const value = required ? this.text(name, true) : this.text(name);
    if (value === undefined || value === '') return undefined;
    const problem = check(value);
    if (problem) {
      this.problems.push(`${this.#prefix}${name} ${problem}`);
      return undefined;
    }
    return value;
  }

  /** A personnummer: checked, and never quoted in a message. */
  subjectOfCare(name: string): string {
    return this.checked(name, checkSubjectOfCareId, true) ?? '';
  }

  fail(): void {
    if (this.problems.length > 0) throw new StaffActionError('invalid', this.problems.join('; '));
  }
}

function patientOf(f: Fields, required: boolean): PatientDetails | undefined {
  if (!f.has('patient')) {
    if (required) f.problems.push('patient is required: { "firstName": …, "lastName": … }');
    return undefined;
  }
  const p = new Fields(f.raw('patient'), 'patient.');
  const firstName = p.text('firstName', true);
  const lastName = p.text('lastName', true);
  const optional = (name: 'middleName' | 'phone' | 'email' | 'address' | 'coaddress') => {
    const value = p.text(name);
    return value !== undefined ? { [name]: value } : {};
  };
  const patient: PatientDetails = {
    firstName,
    lastName,
    ...optional('middleName'),
    ...optional('phone'),
    ...optional('email'),
    ...optional('address'),
    ...optional('coaddress'),
  };
  f.problems.push(...p.problems);
  return patient;
}

/** `slotId`, or `start` and `end` (plus optional `performer`), naming one timeslot. */
interface SlotChoice {
  readonly slotId?: string;
  readonly start?: string;
  readonly end?: string;
  readonly performer?: string;
}

function slotChoiceOf(f: Fields, required: boolean): SlotChoice | undefined {
  const slotId = f.text('slotId');
  const start = f.checked('start', checkTs);
  const end = f.checked('end', checkTs);
  const performer = f.text('performer');
  const hasTimes = f.has('start') || f.has('end');
  if (slotId !== undefined && hasTimes) {
    f.problems.push('give either slotId or start and end, not both');
    return undefined;
  }
  if (hasTimes && (!f.has('start') || !f.has('end'))) {
    f.problems.push('give both start and end (yyyyMMddHHmmss)');
    return undefined;
  }
  if (slotId === undefined && !hasTimes) {
    if (required) f.problems.push('give slotId, or start and end (yyyyMMddHHmmss)');
    return undefined;
  }
  return {
    ...(slotId !== undefined ? { slotId } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(performer !== undefined ? { performer } : {}),
  };
}

/**
 * The timeslot a choice names: by id, or the one at the facility with that
 * start and end (of the time type and performer when given), a free one
 * first.
 */
async function resolveSlot(
  service: SchedulingService,
  choice: SlotChoice,
  facility: string | undefined,
  timeTypeId?: string,
): Promise<Timeslot> {
  const store = service.store;
  if (choice.slotId !== undefined) {
    const slot = await store.getTimeslot(choice.slotId);
    if (!slot) throw new StaffActionError('not-found', `no timeslot with id ${choice.slotId}`);
    return slot;
  }
  if (facility === undefined)
    throw new StaffActionError('invalid', 'facility is required with start and end');
  const lower = (s: string | undefined) => s?.toLowerCase();
  const candidates = (await store.findTimeslotsAt(facility, choice.start!, choice.end!)).filter(
    (s) =>
      (timeTypeId === undefined || s.timeTypeId === timeTypeId) &&
      (choice.performer === undefined || lower(s.performer) === lower(choice.performer)),
  );
  for (const slot of candidates) if (!(await store.findActiveBookingOnSlot(slot.id))) return slot;
  const first = candidates[0];
  if (first) return first; // taken: the service answers with its refusal
  throw new StaffActionError(
    'not-found',
    `no timeslot at ${facility} from ${choice.start} to ${choice.end}` +
      (timeTypeId !== undefined ? ` of time type ${timeTypeId}` : '') +
      (choice.performer !== undefined ? ` with performer ${choice.performer}` : ''),
  );
}

async function findBooking(service: SchedulingService, id: string): Promise<Booking> {
  const booking = await service.store.getBooking(id);
  if (!booking) throw new StaffActionError('not-found', `no booking or invitation with id ${id}`);
  return booking;
}

function outcome<T>(result: ChangeOutcome<T>): { value: T; info?: string } {
  if (!result.ok) throw new StaffActionError('refused', result.text);
  return result.info !== undefined ? { value: result.value, info: result.info } : result;
}

// ---------------------------------------------------------------------------
// The actions

/**
 * Creates an invitation (kallelse): open, or timed on a slot (`slotId`, or
 * `start`/`end` at the facility). `purpose` is plain text or DocBook 5.
 * Body: `{ facility, subjectOfCare, patient, timeTypeId?, careTypeId?,
 * purpose, slotId? | start?, end?, performer?, expiresOn?, id? }`; a timed
 * invitation takes its time type from the slot when none is given.
 */
export async function createInvitation(
  service: SchedulingService,
  body: unknown,
): Promise<BookingView> {
  const f = new Fields(body);
  const facility = f.text('facility', true);
  const subjectOfCare = f.subjectOfCare('subjectOfCare');
  const patient = patientOf(f, true);
  const timeTypeId = f.text('timeTypeId');
  const careTypeId = f.text('careTypeId');
  const purpose = f.checked('purpose', checkPurposeText, true);
  const expiresOn = f.checked('expiresOn', checkDt);
  const id = f.text('id', false, 128);
  const choice = slotChoiceOf(f, false);
  if (choice && expiresOn !== undefined)
    f.problems.push('only an open invitation has expiresOn; a timed one ends at its time');
  if (!choice && timeTypeId === undefined)
    f.problems.push('timeTypeId is required for an open invitation');
  f.fail();

  const slot = choice ? await resolveSlot(service, choice, facility, timeTypeId) : undefined;
  if (slot && facility.toLowerCase() !== slot.facility.toLowerCase())
    throw new StaffActionError('invalid', `timeslot ${slot.id} is not at facility ${facility}`);
  if (slot && timeTypeId !== undefined && slot.timeTypeId !== timeTypeId)
    throw new StaffActionError(
      'invalid',
      `timeslot ${slot.id} is of time type ${slot.timeTypeId}, not ${timeTypeId}`,
    );
  if (!(await service.store.getFacility(facility)))
    throw new StaffActionError('not-found', `no facility with HSA-id ${facility}`);
  const typeId = slot?.timeTypeId ?? timeTypeId!;
  if (!(await service.store.listTimeTypes(facility)).some((t) => t.id === typeId))
    throw new StaffActionError('not-found', `facility ${facility} has no time type ${typeId}`);
  if (id !== undefined && (await service.store.getBooking(id)))
    throw new StaffActionError('refused', `a booking or invitation with id ${id} already exists`);

  const { value } = outcome(
    await service.createInvitation({
      ...(id !== undefined ? { id } : {}),
      facility,
      subjectOfCare,
      patient: patient!,
      timeTypeId: typeId,
      ...(careTypeId !== undefined ? { careTypeId } : {}),
      purpose: purpose!,
      ...(slot ? { slotId: slot.id } : {}),
      ...(expiresOn !== undefined ? { expiresOn } : {}),
    }),
  );
  return bookingView(value.booking);
}

function checkPurposeText(purpose: string): string | undefined {
  if (purpose.length > MAX_PURPOSE) return `is longer than ${MAX_PURPOSE}`;
  const problem = checkPurpose(purpose);
  return problem ? `is not usable: ${problem}` : undefined;
}

/**
 * Books a slot for a patient (staff may book times not bookable online), or
 * books an open invitation on the patient's behalf (`invitationId`).
 * Body: `{ facility?, subjectOfCare, patient, slotId? | start?, end?,
 * performer?, reason?, notification? }` or `{ invitationId, slotId? | start?,
 * end?, facility?, patient? }`.
 */
export async function bookForPatient(
  service: SchedulingService,
  body: unknown,
): Promise<BookingView> {
  const f = new Fields(body);
  const invitationId = f.text('invitationId', false, 128);
  const facilityGiven = f.text('facility');
  const subjectOfCare = invitationId === undefined ? f.subjectOfCare('subjectOfCare') : undefined;
  const patient = patientOf(f, invitationId === undefined);
  const reason = f.text('reason', false, 1000);
  const notification = f.text('notification', false, 1000);
  const choice = slotChoiceOf(f, true);
  f.fail();

  const invitation =
    invitationId !== undefined ? await findBooking(service, invitationId) : undefined;
  const facility = facilityGiven ?? invitation?.facility;
  const slot = await resolveSlot(service, choice!, facility, invitation?.timeTypeId);
  const { value, info } = outcome(
    await service.makeBooking({
      facility: facility ?? slot.facility,
      id: invitation ? invitation.id : slot.id,
      startTs: slot.start.ts,
      endTs: slot.end.ts,
      ...(choice?.performer !== undefined ? { performer: choice.performer } : {}),
      subjectOfCare: invitation ? invitation.subjectOfCare : subjectOfCare!,
      patient: patient ?? invitation!.patient,
      ...(reason !== undefined ? { reason } : {}),
      ...(notification !== undefined ? { notification } : {}),
      origin: 'staff',
    }),
  );
  return bookingView(value, info);
}

/**
 * Moves a booking or timed invitation to another slot (staff may move one
 * whose time type does not allow rebooking online). Body: `{ slotId? |
 * start?, end?, facility?, performer?, notification? }`; the facility is the
 * booking's own unless given.
 */
export async function rebookForPatient(
  service: SchedulingService,
  bookingId: string,
  body: unknown,
): Promise<BookingView> {
  const f = new Fields(body);
  const facilityGiven = f.text('facility');
  const notification = f.text('notification', false, 1000);
  const choice = slotChoiceOf(f, true);
  f.fail();
  const booking = await findBooking(service, bookingId);
  const slot = await resolveSlot(
    service,
    choice!,
    facilityGiven ?? booking.facility,
    booking.timeTypeId,
  );
  const { value, info } = outcome(
    await service.rebook({
      bookingId,
      facility: facilityGiven ?? slot.facility,
      startTs: slot.start.ts,
      endTs: slot.end.ts,
      ...(choice?.performer !== undefined ? { performer: choice.performer } : {}),
      ...(notification !== undefined ? { notification } : {}),
      origin: 'staff',
    }),
  );
  return bookingView(value, info);
}

/** Cancels a booking (staff may cancel one the patient may not). Body: `{ message? }`. */
export async function cancelForPatient(
  service: SchedulingService,
  bookingId: string,
  body: unknown,
): Promise<BookingView> {
  return cancelOrWithdraw(service, bookingId, body, 'booking');
}

/** Withdraws an invitation, open or timed, freeing its slot. Body: `{ message? }`. */
export async function withdrawInvitation(
  service: SchedulingService,
  invitationId: string,
  body: unknown,
): Promise<BookingView> {
  return cancelOrWithdraw(service, invitationId, body, 'invitation');
}

async function cancelOrWithdraw(
  service: SchedulingService,
  id: string,
  body: unknown,
  expected: 'booking' | 'invitation',
): Promise<BookingView> {
  const f = new Fields(body);
  const message = f.text('message', false, 1000);
  f.fail();
  const booking = await findBooking(service, id);
  if (expected === 'booking' && booking.isInvitation)
    throw new StaffActionError(
      'refused',
      `${id} is an invitation that has not been booked; withdraw it instead`,
    );
  if (expected === 'invitation' && !booking.isInvitation)
    throw new StaffActionError(
      'refused',
      `${id} is a booking, not an invitation; cancel it instead`,
    );
  const { value } = outcome(
    await service.cancel({
      bookingId: id,
      facility: booking.facility,
      ...(message !== undefined ? { message } : {}),
      origin: 'staff',
    }),
  );
  return bookingView(value);
}

/**
 * Changes an invitation: its text, time type, care type, slot or expiry. The
 * EI policy treats a changed invitation as a new one, so the answer is a new
 * invitation with a new id and the old one is withdrawn (EI: delete + create).
 * Body: `{ purpose?, timeTypeId?, careTypeId?, slotId?, expiresOn? }`.
 */
export async function changeInvitation(
  service: SchedulingService,
  invitationId: string,
  body: unknown,
): Promise<BookingView> {
  const f = new Fields(body);
  const purpose = f.checked('purpose', checkPurposeText);
  const timeTypeId = f.text('timeTypeId');
  const careTypeId = f.text('careTypeId');
  const slotId = f.text('slotId', false, 128);
  const expiresOn = f.checked('expiresOn', checkDt);
  f.fail();
  const invitation = await findBooking(service, invitationId);
  if (!invitation.isInvitation)
    throw new StaffActionError('refused', `${invitationId} is a booking, not an invitation`);
  const { value } = outcome(
    await service.changeInvitation(invitationId, {
      ...(purpose !== undefined ? { purpose } : {}),
      ...(timeTypeId !== undefined ? { timeTypeId } : {}),
      ...(careTypeId !== undefined ? { careTypeId } : {}),
      ...(slotId !== undefined ? { slotId } : {}),
      ...(expiresOn !== undefined ? { expiresOn } : {}),
    }),
  );
  return bookingView(value);
}

/** One booking or invitation, as staff see it. */
export async function showBooking(service: SchedulingService, id: string): Promise<BookingView> {
  return bookingView(await findBooking(service, id));
}
