/**
 * The console's calendar import: upload a file and see what importing it
 * would do (a dry run of the CLI's import, nothing written), then confirm to
 * import exactly those rows. The rows wait on the server under a random
 * preview id (see pending-imports); the confirm form carries only that id and
 * the CSRF token. Through the staff calendar-import service the import
 * reaches the engagement index and every enabled channel as `tidbok import`
 * does.
 *
 * @module
 */
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { CalendarFileError } from '../../calendar/calendar-file.ts';
import { MAX_HORIZON_DAYS } from '../../calendar/expand-calendar.ts';
import { rowCounts } from '../../calendar/import-calendar.ts';
import { PreviewOutdatedError } from '../../calendar/import-preview.ts';
import { maskPersonIdsInText } from '../../domain/personnummer.ts';
import type { SchedulingService } from '../../domain/scheduling-service.ts';
import { importPreviewedCalendar, previewCalendarImport } from '../../staff/calendar-import.ts';
import { consoleSession } from '../console-auth.ts';
import { sendConsolePage } from './console-page.ts';
import { isUploadedFile, type UploadedFile } from '../multipart-form.ts';
import { ImportPage, type ImportPageProps } from '../views/import-page.tsx';
import { PendingImports, type PendingImport } from './pending-imports.ts';

export interface ImportPagesDeps {
  readonly service: SchedulingService;
  /** Wakes the dispatchers after an import queued messages. */
  readonly notify: () => void;
  /** Imports done from the console (counts only: never a file's content). */
  readonly audit: (event: string, fields?: Record<string, unknown>) => void;
  readonly pending?: PendingImports;
}

const previewForm = z.object({
  calendarFile: z.custom<UploadedFile>(isUploadedFile).optional(),
  horizonDays: z.coerce.number().int().min(1).max(MAX_HORIZON_DAYS),
});
const confirmForm = z.object({ previewId: z.string().max(64) });
const doneQuery = z.object({ done: z.string().max(64).optional() });

/** The file's text, or why there is none to read. */
function fileText(file: z.infer<typeof previewForm>['calendarFile']): string | { problem: string } {
  if (!file || file.bytes.length === 0) return { problem: 'Välj en kalenderfil.' };
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    return { problem: 'Filen är inte text i UTF-8; spara den som UTF-8 och försök igen.' };
  }
}

const problemsOf = (err: CalendarFileError) => err.problems.map(maskPersonIdsInText);

export function importPages(deps: ImportPagesDeps): Router {
  const { service } = deps;
  const pending = deps.pending ?? new PendingImports();
  const router = express.Router();

  const page = (res: Response, status: number, props: Omit<ImportPageProps, 'csrfToken'>) =>
    sendConsolePage(res, ImportPage, { ...props }, status);

  const previewShown = (waiting: PendingImport) => ({
    stage: 'preview' as const,
    fileName: waiting.fileName,
    report: waiting.preview.report,
    todayDt: waiting.preview.todayDt,
    horizonDays: waiting.preview.horizonDays,
    previewId: waiting.id,
  });

  router.get('/import', (req, res) => {
    const { done: doneId } = doneQuery.catch({}).parse(req.query);
    const done = doneId ? pending.findDone(consoleSession(res).id, doneId) : undefined;
    if (!done) return void page(res, 200, {});
    page(res, 200, {
      notice: 'Klart: kalendern är importerad.',
      shown: { stage: 'done', fileName: done.fileName, report: done.report },
    });
  });

  router.post('/import/preview', async (req, res) => {
    const form = previewForm.safeParse(req.body);
    if (!form.success)
      return page(res, 400, {
        error: `Välj en kalenderfil och ett antal dagar från 1 till ${MAX_HORIZON_DAYS}.`,
      });
    const text = fileText(form.data.calendarFile);
    if (typeof text !== 'string') return page(res, 400, { problems: [text.problem] });
    try {
      const preview = await previewCalendarImport(service, text, {
        horizonDays: form.data.horizonDays,
      });
      const fileName = form.data.calendarFile!.filename.slice(0, 200) || 'filen';
      page(res, 200, {
        shown: previewShown(pending.keep(consoleSession(res).id, fileName, preview)),
      });
    } catch (err) {
      if (!(err instanceof CalendarFileError)) throw err;
      page(res, 400, { problems: problemsOf(err) });
    }
  });

  router.post('/import/confirm', async (req, res) => {
    const form = confirmForm.safeParse(req.body);
    const sessionId = consoleSession(res).id;
    const waiting = form.success ? pending.take(sessionId, form.data.previewId) : undefined;
    if (!waiting)
      return page(res, 409, {
        error:
          'Det finns ingen förhandsgranskning att bekräfta: den är redan importerad, ersatt av en nyare eller för gammal. Välj filen igen.',
      });
    try {
      const report = await importPreviewedCalendar(service, waiting.preview);
      deps.notify();
      deps.audit('calendar imported from the console', {
        created: rowCounts(report).reduce((n, c) => n + c.created, 0),
        changed: rowCounts(report).reduce((n, c) => n + c.changed, 0),
      });
      pending.done(sessionId, waiting, report);
      res.redirect(303, `/console/import?done=${encodeURIComponent(waiting.id)}`);
    } catch (err) {
      if (err instanceof PreviewOutdatedError) {
        // Show what the file would do now; that new preview is what a second confirm imports.
        const renewed = pending.keep(sessionId, waiting.fileName, {
          ...waiting.preview,
          report: err.report,
        });
        return page(res, 409, {
          error:
            'Kalendern har ändrats sedan förhandsgranskningen, så inget importerades. Så här skulle filen ändra den nu; bekräfta igen om det stämmer.',
          shown: previewShown(renewed),
        });
      }
      if (!(err instanceof CalendarFileError)) throw err;
      page(res, 409, { problems: problemsOf(err) });
    }
  });
  return router;
}
