/**
 * A calendar import shown before it is done. The preview runs the very same
 * writes as the import ({@link importCalendarInTx}) in a transaction that is
 * always rolled back, so its report is the one the import would give, down
 * to the EI messages a web-booking switch would queue, and nothing stays
 * written. The confirmed import then refuses to commit unless it comes out
 * exactly as previewed: staff approve what they saw, or see the new report.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { CalendarStore } from '../store/calendar-store.ts';
import type { ExpandedCalendar } from './expand-calendar.ts';
import { importCalendarInTx, type ImportHooks, type ImportReport } from './import-calendar.ts';

/** Carries a preview's report out of the transaction it rolls back. */
class RollBackPreview extends Error {
  constructor(readonly report: ImportReport) {
    super('calendar import preview: rolled back on purpose');
  }
}

/**
 * The report importing `imported` would give now, without writing anything.
 * Throws what the import would throw (a `CalendarFileError` for a file that
 * would move a booked slot, say).
 */
export async function previewImport(
  store: CalendarStore,
  imported: ExpandedCalendar,
  hooks: ImportHooks,
): Promise<ImportReport> {
  try {
    await store.transaction(async (tx) => {
      throw new RollBackPreview(await importCalendarInTx(tx, imported, hooks));
    });
  } catch (err) {
    if (err instanceof RollBackPreview) return err.report;
    throw err;
  }
  throw new Error('unreachable: a preview transaction always rolls back');
}

/** The store changed between preview and confirmation, so the import would differ from what was shown. */
export class PreviewOutdatedError extends Error {
  override readonly name = 'PreviewOutdatedError';
  constructor(
    /** What the import would do now: the new preview. */
    readonly report: ImportReport,
  ) {
    super('the calendar changed since the preview; nothing was imported');
  }
}

/**
 * Imports `imported` only if the result is exactly `previewed`; otherwise
 * rolls back and throws {@link PreviewOutdatedError} with the new report.
 */
export async function importAsPreviewed(
  store: CalendarStore,
  imported: ExpandedCalendar,
  hooks: ImportHooks,
  previewed: ImportReport,
): Promise<ImportReport> {
  return store.transaction(async (tx) => {
    const report = await importCalendarInTx(tx, imported, hooks);
    if (!isDeepStrictEqual(report, previewed)) throw new PreviewOutdatedError(report);
    return report;
  });
}
