import { readFile } from 'node:fs/promises';
import { CalendarFileError, parseCalendarFile } from './calendar-file.ts';
import type { CalendarFile } from './calendar-file.ts';

/**
 * Reads and checks a calendar file. Invalid JSON is reported as a
 * {@link CalendarFileError} too, so callers handle one error for "fix the
 * file"; a missing or unreadable file throws the file system's error.
 */
export async function readCalendarFile(path: string): Promise<CalendarFile> {
  return parseCalendarText(await readFile(path, 'utf8'));
}

/** Checks a calendar file's text (an upload, say); bad JSON is a {@link CalendarFileError} as well. */
export function parseCalendarText(text: string): CalendarFile {
  let json: unknown;
  try {
    // A UTF-8 byte order mark is common in files saved by Windows editors.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CalendarFileError([`(the file): is not valid JSON${whereJsonFailed(text, err)}`]);
  }
  return parseCalendarFile(json);
}

/**
 * Where JSON.parse stopped, as line and column. V8's own message may quote
 * the text around the error, which can hold a personnummer, so it is never
 * passed on; only the offending character is.
 */
function whereJsonFailed(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) {
    const before = text
      .replace(/^\uFEFF/, '')
      .slice(0, +position)
      .split('\n');
    return ` (line ${before.length}, column ${before.at(-1)!.length + 1})`;
  }
  const token = /^Unexpected token '(.)'/.exec(message)?.[1];
  if (token) {
    const hint = token === ']' || token === '}' ? ' (is there a comma before it?)' : '';
    return `: unexpected '${token}'${hint}`;
  }
  return /Unexpected end/.test(message) ? ': it ends too early' : '';
}
