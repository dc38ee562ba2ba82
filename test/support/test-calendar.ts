/**
 * A small calendar seeded relative to "now", for end-to-end tests: three
 * facilities (one not enabled for web booking), varied time types and flags,
 * and 20-minute slots on the next working days.
 */
import type { CalendarStore } from '../../src/store/calendar-store.ts';
import { addDays, instantToDt, tsToInstant } from '../../src/domain/local-time.ts';
import type { ChangeOrigin, Timeslot } from '../../src/domain/types.ts';
import type { MakeBookingInput } from '../../src/domain/booking-changes.ts';

export const FACILITY = 'SE2321000016-1hz5';
export const PARTNER = 'SE2321000016-7p3k';
export const HIDDEN = 'SE2321000016-9qw2';
export const PATIENT = '191212121212';
export const OTHER_PATIENT = '200112232384';
export const DOCTOR = 'SE2321000016-P001';
export const NURSE = 'SE2321000016-P002';
export const PARTNER_DOCTOR = 'SE2321000016-P101';

export const PATIENT_INFO = { firstName: 'Tolvan', lastName: 'Tolvansson' } as const;

function localTime(ts: string) {
  const utcMs = tsToInstant(ts);
  if (utcMs === undefined) throw new Error(`test calendar time ${ts} falls in the DST gap`);
  return { ts, utcMs };
}

function slot(
  facility: string,
  date: string,
  hhmm: string,
  minutes: number,
  fields: Omit<Timeslot, 'id' | 'facility' | 'start' | 'end'>,
): Timeslot {
  const startTs = `${date}${hhmm}00`;
  const start = localTime(startTs);
  const endMs = start.utcMs + minutes * 60_000;
  const h = Math.floor((+hhmm.slice(0, 2) * 60 + +hhmm.slice(2) + minutes) / 60);
  const m = (+hhmm.slice(2) + minutes) % 60;
  const endTs = `${date}${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}00`;
  return {
    id: `${facility.slice(-4)}-${startTs}-${fields.performer?.slice(-4) ?? fields.resourceId}`,
    facility,
    start,
    end: { ts: endTs, utcMs: endMs },
    ...fields,
  };
}

export interface SeededCalendar {
  /** Local dates (yyyyMMdd) with slots, the first one tomorrow. */
  readonly days: readonly string[];
  readonly doctorSlots: readonly Timeslot[];
  readonly nurseSlots: readonly Timeslot[];
  readonly partnerSlots: readonly Timeslot[];
  readonly followUpSlots: readonly Timeslot[];
}

export async function seedTestCalendar(
  store: CalendarStore,
  nowUtcMs = Date.now(),
): Promise<SeededCalendar> {
  const today = instantToDt(nowUtcMs);
  const days = [1, 2, 3].map((n) => addDays(today, n));
  const doctorSlots: Timeslot[] = [];
  const nurseSlots: Timeslot[] = [];
  const partnerSlots: Timeslot[] = [];
  const followUpSlots: Timeslot[] = [];
  for (const day of days) {
    for (const hhmm of ['0800', '0820', '0840', '0900', '0920', '0940']) {
      doctorSlots.push(
        slot(FACILITY, day, hhmm, 20, {
          timeTypeId: 'TT-LAK',
          careTypeId: 'CT-ALLM',
          performer: DOCTOR,
          resourceId: 'R1',
        }),
      );
      nurseSlots.push(
        slot(FACILITY, day, hhmm, 20, {
          timeTypeId: 'TT-PROV',
          careTypeId: 'CT-LAB',
          performer: NURSE,
        }),
      );
    }
    followUpSlots.push(
      slot(FACILITY, day, '1300', 30, {
        timeTypeId: 'TT-UPP',
        careTypeId: 'CT-ALLM',
        performer: DOCTOR,
        resourceId: 'R1',
      }),
    );
    partnerSlots.push(
      slot(PARTNER, day, '1000', 20, {
        timeTypeId: 'TT-LAK',
        careTypeId: 'CT-ALLM',
        performer: PARTNER_DOCTOR,
      }),
    );
  }
  const internal = slot(FACILITY, days[0]!, '1500', 20, {
    timeTypeId: 'TT-INT',
    performer: DOCTOR,
  });

  await store.transaction(async (tx) => {
    await tx.upsertFacility({
      hsaId: FACILITY,
      name: 'Vårdcentralen Kungsholmen',
      webBookingEnabled: true,
      partnerFacilities: [PARTNER],
    });
    await tx.upsertFacility({
      hsaId: PARTNER,
      name: 'Vårdcentralen Södermalm',
      webBookingEnabled: true,
      partnerFacilities: [],
    });
    await tx.upsertFacility({
      hsaId: HIDDEN,
      name: 'Mottagningen Bromma',
      webBookingEnabled: false,
      partnerFacilities: [],
    });
    for (const f of [FACILITY, PARTNER, HIDDEN]) {
      await tx.upsertCareType({ facility: f, id: 'CT-ALLM', name: 'Allmänmedicin' });
      await tx.upsertCareType({ facility: f, id: 'CT-LAB', name: 'Laboratorium' });
      await tx.upsertTimeType({
        facility: f,
        id: 'TT-LAK',
        name: 'Läkarbesök 20 min',
        careTypeIds: ['CT-ALLM'],
        cancelAllowed: true,
        rebookAllowed: true,
        messageAllowed: true,
        webBookable: true,
        audience: 'everyone',
      });
    }
    await tx.upsertTimeType({
      facility: FACILITY,
      id: 'TT-PROV',
      name: 'Provtagning',
      careTypeIds: ['CT-LAB'],
      cancelAllowed: false,
      rebookAllowed: false,
      messageAllowed: false,
      webBookable: true,
      audience: 'everyone',
      bookingInfo: 'Kom fastande. Ät eller drick inget efter midnatt.',
    });
    await tx.upsertTimeType({
      facility: FACILITY,
      id: 'TT-UPP',
      name: 'Uppföljning',
      careTypeIds: ['CT-ALLM'],
      cancelAllowed: true,
      rebookAllowed: true,
      messageAllowed: false,
      webBookable: true,
      audience: 'returning-patients',
    });
    await tx.upsertTimeType({
      facility: FACILITY,
      id: 'TT-INT',
      name: 'Intern tid',
      careTypeIds: [],
      cancelAllowed: false,
      rebookAllowed: false,
      messageAllowed: false,
      webBookable: false,
      audience: 'everyone',
    });
    await tx.upsertPerformer({
      hsaId: DOCTOR,
      facility: FACILITY,
      firstName: 'Anna',
      lastName: 'Lind',
      title: 'Leg. läkare',
    });
    await tx.upsertPerformer({
      hsaId: NURSE,
      facility: FACILITY,
      firstName: 'Bertil',
      lastName: 'Berg',
      title: 'Distriktssköterska',
    });
    await tx.upsertPerformer({
      hsaId: PARTNER_DOCTOR,
      facility: PARTNER,
      firstName: 'Cecilia',
      lastName: 'Ek',
    });
    await tx.upsertResource({ facility: FACILITY, id: 'R1', name: 'Mottagningsrum 1' });
    for (const s of [...doctorSlots, ...nurseSlots, ...followUpSlots, ...partnerSlots, internal])
      await tx.upsertTimeslot(s);
  });
  return { days, doctorSlots, nurseSlots, partnerSlots, followUpSlots };
}

/** The cancellation text of the time type {@link addLateCancelFeeSlot} adds. */
export const LATE_CANCEL_FEE = 'Avbokning senare än 24 timmar före besöket debiteras.';

/**
 * Adds time type `TT-AVG` (a doctor's visit whose time type has a
 * cancellation text, {@link LATE_CANCEL_FEE}) and one free slot of it at the
 * time of `template`, for tests of CancelBooking's INFO answer. The seeded
 * types have no cancellation text, so other tests keep their OK answers.
 */
export async function addLateCancelFeeSlot(
  store: CalendarStore,
  template: Timeslot,
): Promise<Timeslot> {
  const feeSlot: Timeslot = { ...template, id: `${template.id}-fee`, timeTypeId: 'TT-AVG' };
  await store.transaction(async (tx) => {
    await tx.upsertTimeType({
      facility: template.facility,
      id: 'TT-AVG',
      name: 'Läkarbesök med avgift vid sen avbokning',
      careTypeIds: ['CT-ALLM'],
      cancelAllowed: true,
      rebookAllowed: true,
      messageAllowed: false,
      webBookable: true,
      audience: 'everyone',
      cancelInfo: LATE_CANCEL_FEE,
    });
    await tx.upsertTimeslot(feeSlot);
  });
  return feeSlot;
}

/**
 * What books `slot` for PATIENT, by `origin` (a SOAP MakeBooking or staff):
 * the slot's own id unless `extra` names another (an invitation's).
 */
export function bookingOfSlot(
  slot: Timeslot,
  origin: ChangeOrigin,
  extra: Partial<MakeBookingInput> = {},
): MakeBookingInput {
  return {
    facility: slot.facility,
    id: slot.id,
    startTs: slot.start.ts,
    endTs: slot.end.ts,
    subjectOfCare: PATIENT,
    patient: PATIENT_INFO,
    origin,
    ...extra,
  };
}
