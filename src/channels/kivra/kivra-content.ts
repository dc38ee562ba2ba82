/**
 * The Kivra v2 content request (`POST /v2/tenant/{tenantKey}/content`) for one
 * letter, as the exact JSON text that is stored in the outbox and sent, and
 * resent byte for byte on every retry (channels.md §1, duplicate control).
 *
 * v2 shape only: `booking` at the top level and files in `parts`; v1's
 * `context.booking` and `files` were removed on 2024-09-30.
 *
 * @module
 */
import { renderKallelseHtml } from './kallelse-html.ts';
import { renderKallelsePdf } from './kallelse-pdf.ts';
import {
  isBookingLetter,
  isoDate,
  isoWithOffset,
  letterText,
  locationOf,
  notificationFields,
  type LetterFacts,
} from './kivra-letter.ts';

/** A file of a Kivra content, base64 in `data`. */
export interface KivraFile {
  readonly name: string;
  readonly data: string;
  readonly content_type: string;
}

/** A part: the PDF, with the HTML version for small screens. */
export interface KivraPart extends KivraFile {
  readonly responsive_part?: KivraFile;
}

/** The calendar entry Kivra makes (and reminds about the day before). */
export interface KivraBooking {
  readonly title: string;
  readonly start_time: string;
  readonly end_time?: string;
  readonly location?: string;
  readonly description?: string;
  readonly info_url?: string;
}

/** The body of a v2 content POST, as this channel sends it. */
export interface KivraContentRequest {
  readonly ssn: string;
  readonly subject: string;
  readonly type: 'booking' | 'letter';
  readonly generated_at: string;
  readonly parts: readonly KivraPart[];
  readonly booking?: KivraBooking;
}

/** Settings that shape every content. */
export interface KivraContentOptions {
  /** Optional https link shown with the booking (`KIVRA_INFO_URL`). */
  readonly infoUrl?: string;
}

const base64 = (data: Buffer | string) => Buffer.from(data).toString('base64');

/** The request for one letter; same facts, same request (the PDF included). */
export async function buildKivraContent(
  facts: LetterFacts,
  options: KivraContentOptions = {},
): Promise<KivraContentRequest> {
  const text = letterText(facts);
  const pdf = await renderKallelsePdf({
    text,
    sender: facts.unitName,
    datedUtcMs: facts.changedAtUtcMs,
  });
  const html = renderKallelseHtml(text, facts.unitName);
  const fields = notificationFields(facts.kind);
  const isBooking = isBookingLetter(facts.kind) && facts.startUtcMs !== undefined;
  const booking: KivraBooking | undefined =
    isBooking && facts.startUtcMs !== undefined
      ? {
          title: fields.title ?? 'Besök',
          start_time: isoWithOffset(facts.startUtcMs),
          ...(facts.endUtcMs === undefined ? {} : { end_time: isoWithOffset(facts.endUtcMs) }),
          location: locationOf(facts),
          ...(fields.description ? { description: fields.description } : {}),
          ...(options.infoUrl ? { info_url: options.infoUrl } : {}),
        }
      : undefined;
  return {
    ssn: facts.ssn,
    subject: fields.subject,
    type: booking ? 'booking' : 'letter',
    generated_at: isoDate(facts.changedAtUtcMs),
    parts: [
      {
        name: 'kallelse.pdf',
        data: base64(pdf),
        content_type: 'application/pdf',
        responsive_part: { name: 'kallelse.html', data: base64(html), content_type: 'text/html' },
      },
    ],
    ...(booking ? { booking } : {}),
  };
}

/** The request as the JSON text that is stored and sent. */
export async function kivraContentBody(
  facts: LetterFacts,
  options: KivraContentOptions = {},
): Promise<string> {
  return JSON.stringify(await buildKivraContent(facts, options));
}
