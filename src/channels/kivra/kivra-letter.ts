/**
 * What one Kivra letter says, before it is rendered: the facts of one booking
 * change (a self-contained snapshot) and the Swedish text every part shows.
 * The PDF and the HTML part render the same {@link LetterText}, so the two
 * can never say different things.
 *
 * Reason for the visit (GDPR art. 9, channels.md §1): the time type's and
 * care type's names appear only in the body text, which the patient reads
 * after signing in; the notification fields (`subject`, `booking.title`,
 * `booking.description`) come from {@link notificationFields} and never see them.
 *
 * @module
 */
import { DateTime } from 'luxon';
import { ZONE } from '../../domain/local-time.ts';
import type { PostalAddress } from '../../domain/types.ts';

/** The kinds of letter this channel sends. */
export type LetterKind =
  /** A booking made (by 1177, by staff, or an open invitation booked). */
  | 'booked'
  /** A booking or timed invitation moved to another time or unit. */
  | 'rebooked'
  /** A timed invitation: the clinic booked a time for the patient. */
  | 'invited'
  /** An open invitation: the patient is asked to book a time via 1177. */
  | 'open-invitation'
  /** A booking or timed invitation cancelled. */
  | 'cancelled'
  /** An open invitation withdrawn by the clinic. */
  | 'invitation-withdrawn';

/** Everything a letter needs, frozen at the change (a retry never reads the calendar). */
export interface LetterFacts {
  readonly kind: LetterKind;
  readonly bookingId: string;
  /** The recipient's 12-digit personnummer. */
  readonly ssn: string;
  readonly unitName: string;
  readonly unitAddress?: PostalAddress;
  /** Start and end of the visit (UTC ms); absent for an open invitation. */
  readonly startUtcMs?: number;
  readonly endUtcMs?: number;
  /** The time type's name: body text only, never a notification field. */
  readonly visitType: string;
  /** The care type's name: body text only, never a notification field. */
  readonly careType?: string;
  /** Last day an open invitation can be booked (`yyyyMMdd`). */
  readonly expiresOn?: string;
  /** When the change was made (UTC ms): the letter's date. */
  readonly changedAtUtcMs: number;
}

/** One line of the letter: a heading, a paragraph or a labelled fact. */
export type LetterBlock =
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'fact'; readonly label: string; readonly value: string };

/** The letter's text, rendered alike by the PDF and the HTML part. */
export interface LetterText {
  readonly heading: string;
  readonly blocks: readonly LetterBlock[];
}

/** The notification-visible fields; built from the kind and the unit only. */
export interface NotificationFields {
  /** At most 35 characters (Kivra's limit). */
  readonly subject: string;
  /** Calendar title of a `booking`; absent for a `letter`. */
  readonly title?: string;
  readonly description?: string;
}

/** Kivra cuts or refuses longer subjects (channels.md §1). */
export const MAX_SUBJECT_CHARS = 35;

const SUBJECT: Record<LetterKind, string> = {
  booked: 'Bokad tid',
  rebooked: 'Ombokad tid',
  invited: 'Kallelse',
  'open-invitation': 'Kallelse',
  cancelled: 'Avbokad tid',
  'invitation-withdrawn': 'Återkallad kallelse',
};

const HEADING: Record<LetterKind, string> = {
  booked: 'Din bokade tid',
  rebooked: 'Din tid är ombokad',
  invited: 'Kallelse till besök',
  'open-invitation': 'Kallelse: boka en tid',
  cancelled: 'Din tid är avbokad',
  'invitation-withdrawn': 'Kallelsen är återkallad',
};

/** Letters whose visit has a time: sent as Kivra `booking` content. */
export function isBookingLetter(kind: LetterKind): boolean {
  return kind === 'booked' || kind === 'rebooked' || kind === 'invited';
}

const local = (utcMs: number) => DateTime.fromMillis(utcMs, { zone: ZONE }).setLocale('sv');

/** `2026-06-19T09:00:00+02:00`: the Stockholm wall time with its offset. */
export function isoWithOffset(utcMs: number): string {
  return local(utcMs).toISO({ suppressMilliseconds: true, includeOffset: true }) ?? '';
}

/** `fredag 19 juni 2026`. */
export function swedishDate(utcMs: number): string {
  return local(utcMs).toFormat('cccc d LLLL yyyy');
}

/** `09:00`. */
export function swedishTime(utcMs: number): string {
  return local(utcMs).toFormat('HH:mm');
}

/** `2026-06-19`: the Stockholm date of an instant. */
export function isoDate(utcMs: number): string {
  return local(utcMs).toFormat('yyyy-MM-dd');
}

function dtToSwedishDate(dt: string): string {
  return DateTime.fromObject(
    { year: +dt.slice(0, 4), month: +dt.slice(4, 6), day: +dt.slice(6, 8) },
    { zone: ZONE },
  )
    .setLocale('sv')
    .toFormat('d LLLL yyyy');
}

/** `Storgatan 1, 753 20 Uppsala`, or undefined when the unit has no address. */
export function addressLine(address: PostalAddress | undefined): string | undefined {
  return address ? `${address.street}, ${address.postalCode} ${address.city}` : undefined;
}

/** Kivra's `location`: the unit's name and address including the city (the name alone without one). */
export function locationOf(facts: LetterFacts): string {
  const address = addressLine(facts.unitAddress);
  return address ? `${facts.unitName}, ${address}` : facts.unitName;
}

/** Subject, calendar title and description: nothing in them can reveal why the patient comes. */
export function notificationFields(kind: LetterKind): NotificationFields {
  const subject = SUBJECT[kind];
  if (!isBookingLetter(kind)) return { subject };
  return {
    subject,
    title: 'Besök',
    description: 'Kom gärna några minuter före utsatt tid. Om- och avbokning görs via 1177.se.',
  };
}

const HOW_TO_CHANGE =
  'Vill du omboka eller avboka? Logga in på 1177.se och välj Bokade tider, eller kontakta mottagningen. ' +
  'Avboka senast dagen före om du inte kan komma, så kan någon annan få tiden.';

function whenFacts(facts: LetterFacts): LetterBlock[] {
  if (facts.startUtcMs === undefined) return [];
  const time =
    facts.endUtcMs === undefined
      ? swedishTime(facts.startUtcMs)
      : `${swedishTime(facts.startUtcMs)}–${swedishTime(facts.endUtcMs)}`;
  return [
    { kind: 'fact', label: 'Datum', value: swedishDate(facts.startUtcMs) },
    { kind: 'fact', label: 'Tid', value: time },
  ];
}

function whereFacts(facts: LetterFacts): LetterBlock[] {
  const address = addressLine(facts.unitAddress);
  return [
    { kind: 'fact', label: 'Mottagning', value: facts.unitName },
    ...(address ? [{ kind: 'fact' as const, label: 'Adress', value: address }] : []),
  ];
}

function visitFacts(facts: LetterFacts): LetterBlock[] {
  return [
    { kind: 'fact', label: 'Besökstyp', value: facts.visitType },
    ...(facts.careType ? [{ kind: 'fact' as const, label: 'Vård', value: facts.careType }] : []),
  ];
}

const reference = (facts: LetterFacts): LetterBlock => ({
  kind: 'fact',
  label: 'Bokningsnummer',
  value: facts.bookingId,
});

/** The letter's text in Swedish. */
export function letterText(facts: LetterFacts): LetterText {
  const heading = HEADING[facts.kind];
  const where = whereFacts(facts);
  switch (facts.kind) {
    case 'booked':
    case 'rebooked':
    case 'invited': {
      const intro =
        facts.kind === 'booked'
          ? `Du har en bokad tid hos ${facts.unitName}.`
          : facts.kind === 'rebooked'
            ? `Din tid hos ${facts.unitName} har flyttats. Den tid du hade tidigare gäller inte längre.`
            : `${facts.unitName} har bokat en tid åt dig.`;
      return {
        heading,
        blocks: [
          { kind: 'paragraph', text: intro },
          ...whenFacts(facts),
          ...where,
          ...visitFacts(facts),
          reference(facts),
          { kind: 'paragraph', text: HOW_TO_CHANGE },
        ],
      };
    }
    case 'open-invitation': {
      const until = facts.expiresOn
        ? ` Boka senast ${dtToSwedishDate(facts.expiresOn)}.`
        : ' Boka så snart du kan.';
      return {
        heading,
        blocks: [
          {
            kind: 'paragraph',
            text: `${facts.unitName} kallar dig till ett besök. Du väljer själv en tid: logga in på 1177.se och välj Bokade tider.${until}`,
          },
          ...where,
          ...visitFacts(facts),
          reference(facts),
          {
            kind: 'paragraph',
            text: 'Hittar du ingen tid som passar? Kontakta mottagningen.',
          },
        ],
      };
    }
    case 'cancelled': {
      const when =
        facts.startUtcMs === undefined
          ? ''
          : ` ${swedishDate(facts.startUtcMs)} klockan ${swedishTime(facts.startUtcMs)}`;
      return {
        heading,
        blocks: [
          {
            kind: 'paragraph',
            text: `Din tid hos ${facts.unitName}${when} är avbokad.`,
          },
          ...whenFacts(facts),
          ...where,
          reference(facts),
          {
            kind: 'paragraph',
            text:
              'Kivra kan inte ta bort en bokning som redan finns i din kalender i Kivra. ' +
              'Den tiden gäller inte längre, även om du får en påminnelse om den.',
          },
          {
            kind: 'paragraph',
            text: 'Behöver du en ny tid? Logga in på 1177.se eller kontakta mottagningen.',
          },
        ],
      };
    }
    case 'invitation-withdrawn':
      return {
        heading,
        blocks: [
          {
            kind: 'paragraph',
            text: `${facts.unitName} har återkallat kallelsen som du fått tidigare. Du behöver inte boka någon tid för den.`,
          },
          ...where,
          reference(facts),
          { kind: 'paragraph', text: 'Har du frågor? Kontakta mottagningen.' },
        ],
      };
  }
}
