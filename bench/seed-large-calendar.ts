/**
 * A large, deterministic calendar for the benchmarks, written through the
 * CalendarStore seam (the same verbs an import uses), so every store
 * implementation can be seeded alike.
 *
 * Shape at full size: 20 facilities with 10 performers each (200), 100,000
 * timeslots over the 90 days starting tomorrow (Europe/Stockholm local
 * times), 10,000 bookings spread over 4,000 patients, and three more patients
 * with exactly 1, 100 and 1,000 bookings at the first facility (for
 * GetSubjectOfCareSchedule). A seeded PRNG makes every run identical for the
 * same start day.
 */
import type { CalendarStore, StoreTx } from '../src/store/calendar-store.ts';
import { addDays, instantToDt, tsToInstant } from '../src/domain/local-time.ts';
import type { Booking, Timeslot } from '../src/domain/types.ts';

export interface LargeCalendarSpec {
  readonly facilities: number;
  readonly performersPerFacility: number;
  readonly timeslots: number;
  readonly days: number;
  readonly bookings: number;
  readonly patients: number;
  /** Booking counts of the dedicated GetSubjectOfCareSchedule patients, all at the first facility. */
  readonly scheduleSizes: readonly number[];
  readonly seed: number;
}

export const FULL_SIZE: LargeCalendarSpec = {
  facilities: 20,
  performersPerFacility: 10,
  timeslots: 100_000,
  days: 90,
  bookings: 10_000,
  patients: 4_000,
  scheduleSizes: [1, 100, 1000],
  seed: 20_241_122,
};

/** What a workload needs to know about a slot to book it. */
export interface SlotRef {
  readonly id: string;
  readonly facility: string;
  readonly startTs: string;
  readonly endTs: string;
  readonly timeTypeId: string;
  readonly performer: string;
}

export interface SeededLargeCalendar {
  readonly spec: LargeCalendarSpec;
  /** Local date (yyyyMMdd) of the first day with slots: the day after `now`. */
  readonly firstDay: string;
  readonly facilities: readonly string[];
  /** Performer HSA-ids per facility, in the order of `facilities`. */
  readonly performers: readonly (readonly string[])[];
  /** Patients with exactly `bookings` active bookings at `facility`. */
  readonly scheduleSubjects: readonly {
    bookings: number;
    subjectOfCare: string;
    facility: string;
  }[];
  /** A sample of booked appointments (id and facility) for GetBookingDetails. */
  readonly sampleBookings: readonly { id: string; facility: string; subjectOfCare: string }[];
  /**
   * Free slots outside the first two facilities (which the read workloads
   * use), in a shuffled but fixed order, for booking workloads.
   */
  readonly freeSlots: readonly SlotRef[];
  readonly counts: {
    readonly facilities: number;
    readonly performers: number;
    readonly timeslots: number;
    readonly bookings: number;
  };
}

/** mulberry32: small, fast, and good enough to spread test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A personnummer with a correct check digit (Luhn over the last ten digits). */
export function personnummer(yyyymmdd: string, serial: number): string {
  const body = `${yyyymmdd.slice(2)}${String(serial % 1000).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = +body[i]! * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `${yyyymmdd}${body.slice(6)}${(10 - (sum % 10)) % 10}`;
}

const FIRST_NAMES = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Johan', 'Eva', 'Anders', 'Sara'];
const LAST_NAMES = [
  'Andersson',
  'Johansson',
  'Karlsson',
  'Nilsson',
  'Eriksson',
  'Larsson',
  'Öberg',
];
const TITLES = ['Leg. läkare', 'Leg. läkare', 'Specialistläkare', 'Distriktssköterska'];

const facilityId = (i: number) => `SE2321000016-F${String(i + 1).padStart(3, '0')}`;
const performerId = (f: number, p: number) =>
  `SE2321000016-P${String(f + 1).padStart(2, '0')}${String(p + 1).padStart(2, '0')}`;

function patientPool(count: number, random: () => number, offset: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const year = 1940 + Math.floor(random() * 65);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const date = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
    out.push(personnummer(date, offset + i));
  }
  return out;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Slots of one facility: performer `p` works a run of 30-minute slots from
 * 08:00 (the last performer takes 15-minute lab slots), spread evenly so the
 * facility gets `perFacility` slots over `days` days.
 */
function facilitySlots(
  f: number,
  perFacility: number,
  days: readonly string[],
  performers: number,
  dayStartUtc: readonly number[],
): Timeslot[] {
  const perDay = Math.ceil(perFacility / days.length);
  const out: Timeslot[] = [];
  for (let j = 0; j < perFacility; j++) {
    const d = Math.floor(j / perDay);
    const k = j % perDay;
    const p = k % performers;
    const round = Math.floor(k / performers);
    const isLab = p === performers - 1;
    const minutes = isLab ? 15 : 30;
    const offset = round * (isLab ? 20 : 40);
    const day = days[d]!;
    const startMin = 8 * 60 + offset;
    const endMin = startMin + minutes;
    const hhmm = (m: number) =>
      `${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}00`;
    // 08:00 to 18:00 is never inside a DST change (02:00-03:00), so minutes add linearly.
    const startUtc = dayStartUtc[d]! + offset * 60_000;
    const timeTypeId = isLab ? 'TT-PROV' : p < (performers * 2) / 3 ? 'TT-LAK' : 'TT-SSK';
    out.push({
      id: `S-${String(f + 1).padStart(3, '0')}-${day}-${String(k).padStart(3, '0')}`,
      facility: facilityId(f),
      start: { ts: `${day}${hhmm(startMin)}`, utcMs: startUtc },
      end: { ts: `${day}${hhmm(endMin)}`, utcMs: startUtc + minutes * 60_000 },
      timeTypeId,
      careTypeId: isLab ? 'CT-LAB' : 'CT-ALLM',
      performer: performerId(f, p),
      ...(timeTypeId === 'TT-LAK' ? { resourceId: `R${(p % 3) + 1}` } : {}),
    });
  }
  return out;
}

async function inBatches<T>(
  store: CalendarStore,
  items: readonly T[],
  size: number,
  write: (tx: StoreTx, item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    const batch = items.slice(i, i + size);
    await store.transaction(async (tx) => {
      for (const item of batch) await write(tx, item);
    });
  }
}

/** Seeds `store` (expected empty) with the large calendar; `nowUtcMs` fixes "tomorrow". */
export async function seedLargeCalendar(
  store: CalendarStore,
  spec: LargeCalendarSpec = FULL_SIZE,
  nowUtcMs: number = Date.now(),
): Promise<SeededLargeCalendar> {
  const random = prng(spec.seed);
  const firstDay = addDays(instantToDt(nowUtcMs), 1);
  const days = Array.from({ length: spec.days }, (_, i) => addDays(firstDay, i));
  const dayStartUtc = days.map((d) => tsToInstant(`${d}080000`)!);
  const facilities = Array.from({ length: spec.facilities }, (_, i) => facilityId(i));
  const performers = facilities.map((_, f) =>
    Array.from({ length: spec.performersPerFacility }, (_, p) => performerId(f, p)),
  );

  await store.transaction(async (tx) => {
    for (const [f, hsaId] of facilities.entries()) {
      await tx.upsertFacility({
        hsaId,
        name: `Vårdcentralen ${LAST_NAMES[f % LAST_NAMES.length]!.replace('sson', 'by')} ${f + 1}`,
        webBookingEnabled: true,
        partnerFacilities: f % 2 === 0 && f + 1 < facilities.length ? [facilities[f + 1]!] : [],
      });
      await tx.upsertCareType({ facility: hsaId, id: 'CT-ALLM', name: 'Allmänmedicin' });
      await tx.upsertCareType({ facility: hsaId, id: 'CT-LAB', name: 'Laboratorium' });
      const timeType = (id: string, name: string, careTypeIds: string[]) => ({
        facility: hsaId,
        id,
        name,
        careTypeIds,
        cancelAllowed: true,
        rebookAllowed: true,
        messageAllowed: true,
        webBookable: true,
        audience: 'everyone' as const,
      });
      await tx.upsertTimeType(timeType('TT-LAK', 'Läkarbesök 30 min', ['CT-ALLM']));
      await tx.upsertTimeType(timeType('TT-SSK', 'Sjuksköterskebesök', ['CT-ALLM']));
      await tx.upsertTimeType({
        ...timeType('TT-PROV', 'Provtagning', ['CT-LAB']),
        cancelAllowed: false,
        rebookAllowed: false,
        bookingInfo: 'Kom fastande. Ät eller drick inget efter midnatt.',
      });
      // A follow-up type for returning patients, as most clinics have: it costs
      // every search a booking-history lookup.
      await tx.upsertTimeType({
        ...timeType('TT-UPP', 'Uppföljning', ['CT-ALLM']),
        audience: 'returning-patients',
      });
      for (let r = 1; r <= 3; r++)
        await tx.upsertResource({ facility: hsaId, id: `R${r}`, name: `Mottagningsrum ${r}` });
      for (const [p, performer] of performers[f]!.entries())
        await tx.upsertPerformer({
          hsaId: performer,
          facility: hsaId,
          firstName: FIRST_NAMES[(f + p) % FIRST_NAMES.length]!,
          lastName: LAST_NAMES[(f * 3 + p) % LAST_NAMES.length]!,
          title:
            p === spec.performersPerFacility - 1
              ? 'Biomedicinsk analytiker'
              : TITLES[p % TITLES.length]!,
        });
    }
  });

  const perFacility = Math.floor(spec.timeslots / spec.facilities);
  const slotsByFacility = facilities.map((_, f) => {
    const count = perFacility + (f < spec.timeslots % spec.facilities ? 1 : 0);
    return facilitySlots(f, count, days, spec.performersPerFacility, dayStartUtc);
  });
  const allSlots = slotsByFacility.flat();
  await inBatches(store, allSlots, 5000, (tx, slot) => tx.upsertTimeslot(slot));

  const taken = new Set<string>();
  const bookings: Booking[] = [];
  const bookingAt = (slot: Timeslot, subjectOfCare: string, n: number): Booking => {
    const createdAt = nowUtcMs - 86_400_000;
    return {
      id: `B-${String(n).padStart(6, '0')}`,
      facility: slot.facility,
      subjectOfCare,
      patient: {
        firstName: FIRST_NAMES[n % FIRST_NAMES.length]!,
        lastName: LAST_NAMES[n % LAST_NAMES.length]!,
        phone: '070-123 45 67',
      },
      isInvitation: false,
      slotId: slot.id,
      start: slot.start,
      end: slot.end,
      timeTypeId: slot.timeTypeId,
      ...(slot.careTypeId !== undefined ? { careTypeId: slot.careTypeId } : {}),
      ...(slot.performer !== undefined ? { performer: slot.performer } : {}),
      ...(slot.resourceId !== undefined ? { resourceId: slot.resourceId } : {}),
      reason: 'Kontroll',
      status: 'active',
      createdAt,
      updatedAt: createdAt,
      version: 1,
    };
  };

  // The dedicated schedule patients first, on random slots of the first facility.
  const scheduleFacilitySlots = shuffle([...slotsByFacility[0]!], random);
  const scheduleSubjects = spec.scheduleSizes.map((size, i) => {
    const subjectOfCare = personnummer(`19${50 + i}0101`, 900 + i);
    for (let n = 0; n < size; n++) {
      const slot = scheduleFacilitySlots.pop();
      if (!slot) throw new Error('the first facility has too few slots for the schedule patients');
      taken.add(slot.id);
      bookings.push(bookingAt(slot, subjectOfCare, bookings.length + 1));
    }
    return { bookings: size, subjectOfCare, facility: facilities[0]! };
  });

  const patients = patientPool(spec.patients, random, 0);
  const general: Booking[] = [];
  while (general.length < spec.bookings) {
    const slot = allSlots[Math.floor(random() * allSlots.length)]!;
    if (taken.has(slot.id)) continue;
    taken.add(slot.id);
    const patient = patients[Math.floor(random() * patients.length)]!;
    general.push(bookingAt(slot, patient, bookings.length + general.length + 1));
  }
  bookings.push(...general);
  await inBatches(store, bookings, 5000, (tx, booking) => tx.insertBooking(booking));

  const freeSlots = shuffle(
    slotsByFacility
      .slice(2)
      .flat()
      .filter((s) => !taken.has(s.id))
      .map((s): SlotRef => ({
        id: s.id,
        facility: s.facility,
        startTs: s.start.ts,
        endTs: s.end.ts,
        timeTypeId: s.timeTypeId,
        performer: s.performer!,
      })),
    random,
  );

  return {
    spec,
    firstDay,
    facilities,
    performers,
    scheduleSubjects,
    sampleBookings: general
      .slice(0, 200)
      .map((b) => ({ id: b.id, facility: b.facility, subjectOfCare: b.subjectOfCare })),
    freeSlots,
    counts: {
      facilities: facilities.length,
      performers: performers.flat().length,
      timeslots: allSlots.length,
      bookings: bookings.length,
    },
  };
}
