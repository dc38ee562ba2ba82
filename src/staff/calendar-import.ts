/**
 * Calendar import in two steps, for staff who want to see what a file would
 * do before it does it (the console): a preview that writes nothing, then
 * the import of exactly what was previewed. Both run the import the CLI and
 * `npm start` run, with the same hooks on the domain service, so a confirmed
 * import reaches the engagement index and every enabled channel alike.
 *
 * @module
 */
import { DEFAULT_HORIZON_DAYS, expandCalendar } from '../calendar/expand-calendar.ts';
import type { ExpandedCalendar } from '../calendar/expand-calendar.ts';
import type { ImportReport } from '../calendar/import-calendar.ts';
import { hooksThroughService } from '../calendar/import-calendar-file.ts';
import { importAsPreviewed, previewImport } from '../calendar/import-preview.ts';
import { parseCalendarText } from '../calendar/read-calendar-file.ts';
import { instantToDt } from '../domain/local-time.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';

/** A checked calendar file's rows and what importing them would do. */
export interface CalendarImportPreview {
  /** The rows the import writes, expanded once, so the confirmation writes these very rows. */
  readonly imported: ExpandedCalendar;
  readonly report: ImportReport;
  /** The local date the templates were expanded from, and for how many days. */
  readonly todayDt: string;
  readonly horizonDays: number;
}

/**
 * Checks a calendar file's text and reports what importing it would do now,
 * writing nothing. Throws `CalendarFileError` (every problem, with its JSON
 * path) for a file the import would refuse.
 */
export async function previewCalendarImport(
  service: SchedulingService,
  text: string,
  options: { horizonDays?: number } = {},
): Promise<CalendarImportPreview> {
  const file = parseCalendarText(text);
  const nowUtcMs = service.now();
  const todayDt = instantToDt(nowUtcMs);
  const horizonDays = options.horizonDays ?? DEFAULT_HORIZON_DAYS;
  const imported = expandCalendar(file, { todayDt, nowUtcMs, horizonDays });
  const report = await previewImport(service.store, imported, hooksThroughService(service));
  return { imported, report, todayDt, horizonDays };
}

/**
 * Imports a previewed calendar. Commits only when the import comes out as
 * the preview said; otherwise throws `PreviewOutdatedError` carrying the new
 * report, having written nothing.
 */
export function importPreviewedCalendar(
  service: SchedulingService,
  preview: CalendarImportPreview,
): Promise<ImportReport> {
  return importAsPreviewed(
    service.store,
    preview.imported,
    hooksThroughService(service),
    preview.report,
  );
}
