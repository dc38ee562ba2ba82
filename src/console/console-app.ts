/**
 * The console and the simulator as a handler of the admin listener: answers
 * `/console…` and `/simulator…`, nothing else, so it sits beside the admin
 * API on the same listener and behind the same token.
 *
 * @module
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import { expressHandler, type HttpHandler } from '../http/http-handler.ts';
import type { Logger } from '../logging/logger.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import { createConsoleRouter } from './console-router.ts';
import type { ConsoleSessions } from './console-session.ts';
import { consolePages } from './pages/console-pages.ts';
import { importPages } from './pages/import-pages.ts';
import { workPages } from './pages/work-pages.ts';
import { simulatorPages } from './simulator/simulator-pages.ts';

export interface ConsoleAppOptions {
  /** The admin token: the console signs in with it. */
  readonly token: string;
  readonly service: SchedulingService;
  readonly outbox: OutboxStore;
  /** The enabled channels' names, for the deliveries page. */
  readonly channels: readonly string[];
  /** Wakes the dispatchers after a dead letter was put back. */
  readonly notify: () => void;
  readonly logger: Logger;
  /** This producer's SOAP base URL once it listens (the simulator's default target). */
  readonly soapBaseUrl: () => string | undefined;
  readonly sessions?: ConsoleSessions;
}

export function createConsoleApp(options: ConsoleAppOptions): express.Express {
  const audit = (event: string, fields: Record<string, unknown> = {}) =>
    options.logger.info({ audit: true, ...fields }, event);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    createConsoleRouter({
      token: options.token,
      audit,
      consolePages: express
        .Router()
        .use(consolePages({ service: options.service, audit }))
        .use(
          workPages({
            service: options.service,
            outbox: options.outbox,
            channels: options.channels,
            notify: options.notify,
          }),
        )
        .use(importPages({ service: options.service, notify: options.notify, audit })),
      simulatorPages: simulatorPages({
        service: options.service,
        soapBaseUrl: options.soapBaseUrl,
      }),
      ...(options.sessions ? { sessions: options.sessions } : {}),
    }),
  );
  app.use((_req: Request, res: Response) => {
    res.status(404).type('text').send('Ingen sida här\n');
  });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    options.logger.error({ err }, 'console request failed');
    res.status(500).type('text').send('Ett internt fel stoppade begäran.\n');
  });
  return app;
}

/** The console and the simulator as a handler of a listener: everything under their paths. */
export function createConsoleHandler(options: ConsoleAppOptions): HttpHandler {
  return expressHandler('console', createConsoleApp(options), ['/console', '/simulator']);
}
