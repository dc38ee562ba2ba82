/**
 * Express middleware that keeps the console and the simulator behind the
 * admin token: sign-in and sign-out routes, a session check on every other
 * page (a browser is sent to the sign-in form, anything else gets 401), and
 * a CSRF check on every POST.
 *
 * @module
 */
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ConsoleSessions } from './console-session.ts';
import { type ConsoleSession, SESSION_COOKIE, sameSecret } from './console-session.ts';
import { renderPage } from './render-page.tsx';
import { SignInPage } from './views/sign-in-page.tsx';

/** What the auth needs to know. */
export interface ConsoleAuthOptions {
  /** The admin token (`TIDBOK_ADMIN_TOKEN`); the console signs in with it. */
  readonly token: string;
  readonly sessions: ConsoleSessions;
  /** Where the console is mounted, e.g. `/console`; sign-in lives under it. */
  readonly basePath: string;
  /** Records sign-ins and refusals (never the token). */
  readonly audit: (event: string, fields?: Record<string, unknown>) => void;
}

const signInForm = z.object({
  token: z.string().max(1024),
  next: z.string().max(2048).optional(),
});

/** The session a request was authenticated with (set by {@link requireConsoleSession}). */
export function consoleSession(res: Response): ConsoleSession {
  const session = res.locals['consoleSession'] as ConsoleSession | undefined;
  if (!session) throw new Error('consoleSession() used on a route without requireConsoleSession');
  return session;
}

/** A local path to go to after signing in; anything else (another site) becomes the console's start. */
function safeNext(next: string | undefined, fallback: string): string {
  return next !== undefined && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : fallback;
}

/** Whether a browser says the request came from another site (Fetch Metadata, Origin). */
function isCrossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.get('origin');
  if (origin === undefined || origin === 'null') return origin === 'null';
  const host = req.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

function sessionCookie(value: string, maxAgeS: number): string {
  return serializeCookie(SESSION_COOKIE, value, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    maxAge: maxAgeS,
  });
}

/** Sign-in (GET form, POST token) and sign-out routes, mounted at `basePath`. */
export function consoleSignInRoutes(options: ConsoleAuthOptions): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  router.get('/sign-in', (req, res) => {
    const next = typeof req.query['next'] === 'string' ? req.query['next'] : undefined;
    res.type('html').send(renderPage(SignInPage({ action: `${options.basePath}/sign-in`, next })));
  });
  router.post('/sign-in', form, (req, res) => {
    const parsed = signInForm.safeParse(req.body);
    // Login CSRF: another site must not sign a browser in with a token of its choosing.
    if (isCrossSite(req) || !parsed.success || !sameSecret(parsed.data.token, options.token)) {
      options.audit('console sign-in refused', { crossSite: isCrossSite(req) });
      res
        .status(401)
        .type('html')
        .send(
          renderPage(
            SignInPage({
              action: `${options.basePath}/sign-in`,
              next: parsed.success ? parsed.data.next : undefined,
              error: 'Fel token. Försök igen.',
            }),
          ),
        );
      return;
    }
    const session = options.sessions.open();
    options.audit('console sign-in');
    res.setHeader('Set-Cookie', sessionCookie(session.id, 10 * 3600));
    res.redirect(303, safeNext(parsed.data.next, `${options.basePath}/`));
  });
  router.post('/sign-out', form, requireConsoleSession(options), (_req, res) => {
    options.sessions.close(consoleSession(res).id);
    res.setHeader('Set-Cookie', sessionCookie('', 0));
    res.redirect(303, `${options.basePath}/sign-in`);
  });
  return router;
}

/**
 * Lets a request through only with a live session; on POST also only with
 * the session's CSRF token (`_csrf` in the form or `x-csrf-token`) and not
 * from another site. A page request without a session is redirected to the
 * sign-in form; anything else gets 401.
 */
export function requireConsoleSession(options: ConsoleAuthOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const cookies = parseCookies(req.get('cookie') ?? '');
    const session = options.sessions.find(cookies[SESSION_COOKIE]);
    if (!session) {
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
        const target = encodeURIComponent(req.originalUrl);
        res.redirect(303, `${options.basePath}/sign-in?next=${target}`);
      } else res.status(401).type('text').send('Sign in first\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = req.body as Record<string, unknown> | undefined;
      const given =
        (typeof body?.['_csrf'] === 'string' ? body['_csrf'] : undefined) ??
        req.get('x-csrf-token');
      if (isCrossSite(req) || given === undefined || !sameSecret(given, session.csrfToken)) {
        options.audit('console request refused: cross-site or without its CSRF token', {
          path: req.path,
        });
        res.status(403).type('text').send('Forbidden: this form did not come from the console\n');
        return;
      }
    }
    res.locals['consoleSession'] = session;
    next();
  };
}
