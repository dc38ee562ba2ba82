/**
 * Business refusals: the change was not made, and `text` is shown to the
 * citizen as is (resultCode ERROR, TKB-F §5.5). Written in Swedish because
 * 1177 shows them unchanged; each says what the patient can do next.
 */
export const refusal = {
  slotTaken: 'Tiden är tyvärr redan bokad. Välj en annan tid.',
  slotNotFound: 'Den valda tiden finns inte längre. Välj en ny tid.',
  slotInPast: 'Den valda tiden har redan passerat. Välj en ny tid.',
  notBookableOnline: 'Den här tiden kan inte bokas via webben. Kontakta mottagningen.',
  facilityNotAllowed: 'Tiden kan inte bokas på den valda mottagningen. Välj en annan mottagning.',
  bookingNotFound: 'Bokningen kunde inte hittas. Den kan redan vara avbokad.',
  bookingNotYours: 'Bokningen kunde inte hittas för dig. Kontakta mottagningen.',
  bookingCancelled: 'Bokningen är redan avbokad.',
  bookingPassed: 'Tiden har redan passerat och kan inte ändras.',
  invitationAlreadyBooked: 'Kallelsen är redan bokad. Du kan ändra tiden under Bokade tider.',
  openInvitationNeedsBooking: 'Kallelsen har ingen tid ännu. Välj en tid för att boka den.',
  notAnOpenInvitation: 'Det här är inte en kallelse som kan bokas. Välj en ledig tid.',
  rebookNotAllowed: 'Tiden kan inte ombokas via webben. Kontakta mottagningen.',
  cancelNotAllowed: 'Tiden kan inte avbokas via webben. Kontakta mottagningen.',
  changedMeanwhile: 'Bokningen ändrades samtidigt av någon annan. Försök igen.',
  invitationExpired: 'Kallelsen har gått ut. Kontakta mottagningen.',
  invitationNotCancellable:
    'En kallelse kan inte avbokas via webben. Kontakta mottagningen om du inte kan komma.',
} as const;

export type RefusalText = (typeof refusal)[keyof typeof refusal];

/** The outcome of a booking change: done (optionally with text the patient must see) or refused. */
export type ChangeOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly info?: string }
  | { readonly ok: false; readonly text: RefusalText };

export const done = <T>(value: T, info?: string): ChangeOutcome<T> =>
  info ? { ok: true, value, info } : { ok: true, value };
export const refused = <T>(text: RefusalText): ChangeOutcome<T> => ({ ok: false, text });
