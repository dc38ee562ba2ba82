/**
 * Calendar imports between preview and confirmation, kept on the server per
 * console session, so the confirmation imports the very rows that were
 * previewed (the browser sends back only the preview's random id, never the
 * file). One per session: a new preview replaces the last. Like the sessions
 * they live in memory and end with the session's idle time.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { ImportReport } from '../../calendar/import-calendar.ts';
import type { CalendarImportPreview } from '../../staff/calendar-import.ts';

export interface PendingImport {
  /** Sent in the confirm form; names this preview and no other. */
  readonly id: string;
  readonly fileName: string;
  readonly preview: CalendarImportPreview;
  readonly atUtcMs: number;
}

/** An import that was confirmed and done, shown once more after the redirect. */
export interface DoneImport {
  readonly id: string;
  readonly fileName: string;
  readonly report: ImportReport;
  readonly atUtcMs: number;
}

export class PendingImports {
  readonly #pending = new Map<string, PendingImport>();
  readonly #done = new Map<string, DoneImport>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 30 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Keeps a preview for the session (replacing any other) and returns it with its id. */
  keep(sessionId: string, fileName: string, preview: CalendarImportPreview): PendingImport {
    this.#sweep();
    const pending = {
      id: randomBytes(16).toString('base64url'),
      fileName,
      preview,
      atUtcMs: this.#now(),
    };
    this.#pending.set(sessionId, pending);
    return pending;
  }

  /** Removes and returns the session's preview if `id` names it, so one preview is imported once. */
  take(sessionId: string, id: string): PendingImport | undefined {
    this.#sweep();
    const pending = this.#pending.get(sessionId);
    if (pending?.id !== id) return undefined;
    this.#pending.delete(sessionId);
    return pending;
  }

  /** Records the report of a confirmed import for the page after the redirect. */
  done(sessionId: string, pending: PendingImport, report: ImportReport): void {
    this.#done.set(sessionId, {
      id: pending.id,
      fileName: pending.fileName,
      report,
      atUtcMs: this.#now(),
    });
  }

  /** The session's confirmed import named `id`, if it is still kept. */
  findDone(sessionId: string, id: string): DoneImport | undefined {
    this.#sweep();
    const done = this.#done.get(sessionId);
    return done?.id === id ? done : undefined;
  }

  #sweep(): void {
    const oldest = this.#now() - this.#ttlMs;
    for (const map of [this.#pending, this.#done])
      for (const [sessionId, entry] of map) if (entry.atUtcMs < oldest) map.delete(sessionId);
  }
}
