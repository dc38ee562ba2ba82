/** Letter facts with sensible defaults, and a way to read a PDF's text like a person would. */
import { execFileSync } from 'node:child_process';
import type { LetterFacts } from '../../src/channels/kivra/kivra-letter.ts';
import { PATIENT } from '../support/builders.ts';

/** Time type and care type names that reveal why the patient comes. */
export const REVEALING_VISIT_TYPE = 'Klamydiatest';
export const REVEALING_CARE_TYPE = 'Abortrådgivning';

/** Friday 19 June 2026, 09:00–09:30 in Stockholm (summer time). */
export const SUMMER_START = Date.UTC(2026, 5, 19, 7, 0);

export function aLetter(overrides: Partial<LetterFacts> = {}): LetterFacts {
  return {
    kind: 'booked',
    bookingId: 'B-1001',
    ssn: PATIENT,
    unitName: 'Vårdcentralen Ekbacken',
    unitAddress: { street: 'Storgatan 1', postalCode: '753 20', city: 'Uppsala' },
    startUtcMs: SUMMER_START,
    endUtcMs: SUMMER_START + 30 * 60_000,
    visitType: REVEALING_VISIT_TYPE,
    careType: REVEALING_CARE_TYPE,
    changedAtUtcMs: Date.UTC(2026, 4, 1, 10, 0),
    ...overrides,
  };
}

/** The text of a PDF as poppler's `pdftotext` extracts it, whitespace collapsed. */
export function pdfText(pdf: Buffer): string {
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf });
  return text.toString('utf8').replace(/\s+/g, ' ').trim();
}
