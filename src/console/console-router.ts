/**
 * The browser side of tidbok on the admin listener: the staff console at
 * `/console/` and the 1177 simulator at `/simulator/`, both behind the admin
 * token (see console-auth). Pages are rendered on the server with Preact;
 * they work without any script.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import {
  consoleSignInRoutes,
  requireConsoleSession,
  type ConsoleAuthOptions,
} from './console-auth.ts';
import { ConsoleSessions } from './console-session.ts';
import { multipartForm } from './multipart-form.ts';

export interface ConsoleRouterOptions {
  /** The admin token; the console signs in with it. */
  readonly token: string;
  /** Sign-in and refusal events (never the token or a personnummer). */
  readonly audit: ConsoleAuthOptions['audit'];
  /** Pages mounted behind the session check, relative to `/console`. */
  readonly consolePages?: Router;
  /** Pages mounted behind the session check, relative to `/simulator`. */
  readonly simulatorPages?: Router;
  /** Session lifetimes and clock (tests). */
  readonly sessions?: ConsoleSessions;
}

/** The largest upload (a calendar file, the whole form) the console reads. */
const MAX_UPLOAD_BYTES = 4 * 1024 ** 2;

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

/**
 * Everything under `/console` and `/simulator`: static files, sign-in, and
 * the pages behind the session. Mount it on the admin app at `/`.
 */
export function createConsoleRouter(options: ConsoleRouterOptions): Router {
  const sessions = options.sessions ?? new ConsoleSessions();
  const auth: ConsoleAuthOptions = {
    token: options.token,
    sessions,
    basePath: '/console',
    audit: options.audit,
  };
  const router = express.Router();
  router.use(['/console', '/simulator'], (_req, res, next) => {
    // Nothing but our own origin, no framing, no referrer to other sites.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with our own forms.
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use('/console/static', express.static(STATIC_DIR, { index: false, fallthrough: false }));
  router.use('/console', consoleSignInRoutes(auth));
  const guard = requireConsoleSession(auth);
  const form = express.urlencoded({ extended: false, limit: '2mb' });
  // Only the calendar import takes a file; its form's _csrf field is read like any other's.
  router.use('/console/import', multipartForm(MAX_UPLOAD_BYTES));
  router.use('/console', form, guard, options.consolePages ?? express.Router());
  router.use('/simulator', form, guard, options.simulatorPages ?? express.Router());
  return router;
}
