/**
 * A stand-in for a FHIR R4 patient portal with Spreekuur.nl's rules, for
 * tests and demos (in process, `npx tidbok fhir-sim`, and demo mode). It
 * checks what the portal checks:
 * - a bearer token from its own OAuth 2.0 client-credentials endpoint
 *   (`POST /oauth/token`), unexpired and not revoked (else 401);
 * - the organisation header (name configurable) naming its organisation's
 *   AGB code (missing: 400, another organisation: 403);
 * - `Content-Type: application/fhir+json` (else 415) and JSON;
 * - FHIR R4 invariants and the portal's profile (`fhir-portal-checks.ts`),
 *   refused with 400 and an `OperationOutcome`.
 * It keeps every request it received, the appointments as they now stand and
 * what the patient was told, and can be told to fail or hang.
 *
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { FhirPortalConnection } from '../channels/fhir-portal/fhir-portal-config.ts';
import { DEFAULT_ACCEPTED_SYSTEMS } from '../channels/fhir-portal/patient-identifier.ts';
import { checkAppointment, checkCommunication, operationOutcome } from './fhir-portal-checks.ts';
import type { FhirIssue } from './fhir-portal-checks.ts';

export interface FhirSimulatorOptions {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  /** The client the token endpoint accepts; `tidbok` by default. */
  readonly clientId?: string;
  /** Its secret; random by default. */
  readonly clientSecret?: string;
  /** The one organisation (AGB code) the client may send for; `01234567` by default. */
  readonly organization?: string;
  /** The header that names it; `X-Organization-Identifier` by default. */
  readonly organizationHeader?: string;
  /** Patient identifier systems it accepts; both Swedish ones and BSN by default. */
  readonly acceptedSystems?: readonly string[];
  /** Lifetime of a token (s); 3600 by default. */
  readonly tokenTtlSeconds?: number;
}

/** One request the simulator received (the token endpoint's included), for assertions. */
export interface FhirReceived {
  readonly atUtcMs: number;
  readonly method: string;
  /** Path below the FHIR base (`/Appointment/b1`), or `/oauth/token`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body. */
  readonly body: string;
  /** The parsed body, when it was JSON. */
  readonly resource?: unknown;
  /** The HTTP status answered (0 while a hung request is unanswered). */
  readonly status: number;
  /** `OperationOutcome` text or the injected failure, when refused. */
  readonly outcome?: string;
}

/** What the portal told the patient: one entry per new, modified or cancelled appointment and per message. */
export interface PatientNotice {
  readonly kind: 'new' | 'modified' | 'cancelled' | 'message';
  /** Appointment id, or the id the portal gave the Communication. */
  readonly id: string;
}

/** A failure the next FHIR requests get instead of normal processing. */
export type FhirFailure =
  | {
      readonly status: number;
      readonly body?: string;
      readonly contentType?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | 'hang';

/**
 * The simulator, with the connection settings that reach it (`baseUrl` is
 * `http://127.0.0.1:<port>/fhir/r4`).
 */
export interface FhirSimulator extends Pick<
  FhirPortalConnection,
  'baseUrl' | 'tokenUrl' | 'clientId' | 'clientSecret' | 'organization' | 'organizationHeader'
> {
  /** Every request, in arrival order. */
  readonly received: readonly FhirReceived[];
  /** Requests below the FHIR base that were accepted (2xx). */
  accepted(): FhirReceived[];
  /** The appointments as they now stand, by id. */
  appointments(): ReadonlyMap<string, unknown>;
  /** Every Communication accepted, in order. */
  communications(): unknown[];
  /** What the patient was told, in order. */
  readonly notices: readonly PatientNotice[];
  /** Tokens issued so far. */
  readonly tokensIssued: number;
  /** Answers the next `n` FHIR requests with this failure. */
  failNext(n: number, failure: FhirFailure): void;
  /** Makes every token issued so far invalid (the next request gets 401). */
  revokeTokens(): void;
  close(): Promise<void>;
}

const tokenRequest = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
});

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Client id and secret from HTTP Basic or the form (RFC 6749 §2.3.1). */
function clientCredentials(req: Request, form: z.infer<typeof tokenRequest>) {
  const basic = /^Basic (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  }
  return { id: form.client_id ?? '', secret: form.client_secret ?? '' };
}

function outcomeText(issues: readonly FhirIssue[]): string {
  return issues.map((i) => `${i.expression}: ${i.diagnostics}`).join('; ');
}

/** Starts a simulated FHIR portal on 127.0.0.1. */
export async function startFhirSimulator(
  options: FhirSimulatorOptions = {},
): Promise<FhirSimulator> {
  const clientId = options.clientId ?? 'tidbok';
  const clientSecret = options.clientSecret ?? randomBytes(18).toString('base64url');
  const organization = options.organization ?? '01234567';
  const organizationHeader = options.organizationHeader ?? 'X-Organization-Identifier';
  const acceptedSystems = options.acceptedSystems ?? DEFAULT_ACCEPTED_SYSTEMS;
  const ttlSeconds = options.tokenTtlSeconds ?? 3600;

  const received: FhirReceived[] = [];
  const tokens = new Map<string, number>();
  const appointments = new Map<string, unknown>();
  const communications: unknown[] = [];
  const notices: PatientNotice[] = [];
  const failures: FhirFailure[] = [];
  const hung = new Set<Response>();
  let tokensIssued = 0;
  let communicationIds = 0;

  const record = (req: Request, res: Response, path: string, outcome?: string) => {
    const body = typeof req.body === 'string' ? req.body : '';
    let resource: unknown;
    try {
      resource = body ? JSON.parse(body) : undefined;
    } catch {
      resource = undefined;
    }
    const entry = {
      atUtcMs: Date.now(),
      method: req.method,
      path,
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
      ),
      body,
      ...(resource !== undefined ? { resource } : {}),
      status: 0,
      ...(outcome !== undefined ? { outcome } : {}),
    };
    received.push(entry);
    res.on('finish', () => {
      (entry as { status: number }).status = res.statusCode;
    });
    return entry;
  };

  const refuse = (
    res: Response,
    status: number,
    issues: readonly FhirIssue[],
    entry: { outcome?: string },
  ) => {
    entry.outcome = outcomeText(issues);
    res
      .status(status)
      .type('application/fhir+json')
      .send(JSON.stringify(operationOutcome(issues)));
  };

  const refusalOf = (
    status: number,
    code: FhirIssue['code'],
    diagnostics: string,
    expression: string,
  ) => ({ status, issue: { code, diagnostics, expression } });

  /** Why the portal refuses a request before reading its resource, or undefined when it does not. */
  const requestRefusal = (req: Request, isJson: boolean) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const expires = token === undefined ? undefined : tokens.get(token);
    if (expires === undefined || expires <= Date.now())
      return refusalOf(401, 'invalid', 'no valid bearer token', 'Authorization');
    const org = req.get(organizationHeader);
    if (org === undefined)
      return refusalOf(
        400,
        'required',
        `header ${organizationHeader} is required`,
        organizationHeader,
      );
    if (org !== `http://fhir.nl/fhir/NamingSystem/agb-z|${organization}`)
      return refusalOf(403, 'invalid', 'not an organisation of this client', organizationHeader);
    if (!/^application\/fhir\+json(;|$)/.test(req.get('content-type') ?? ''))
      return refusalOf(415, 'not-supported', 'send application/fhir+json', 'Content-Type');
    if (!isJson) return refusalOf(400, 'structure', 'the body is not JSON', 'body');
    return undefined;
  };

  const app = express();
  app.disable('x-powered-by');

  app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
    record(req, res, '/oauth/token');
    const form = tokenRequest.safeParse(req.body ?? {});
    if (!form.success) {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    const client = clientCredentials(req, form.data);
    if (!same(client.id, clientId) || !same(client.secret, clientSecret)) {
      res.status(401).json({ error: 'invalid_client' });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + ttlSeconds * 1000);
    tokensIssued++;
    res.set('Cache-Control', 'no-store').json({
      access_token: token,
      token_type: 'Bearer',
      expires_in: ttlSeconds,
    });
  });

  const fhir = express.Router();
  fhir.use(express.text({ type: () => true, limit: '12mb' }));
  fhir.use((req: Request, res: Response, next: NextFunction) => {
    const entry = record(req, res, req.path);
    res.locals['entry'] = entry;
    const failure = failures.shift();
    if (failure === 'hang') {
      entry.outcome = 'hang';
      hung.add(res);
      return;
    }
    if (failure) {
      entry.outcome = `injected HTTP ${failure.status}`;
      res
        .set(failure.headers ?? {})
        .status(failure.status)
        .type(failure.contentType ?? 'text/plain')
        .send(failure.body ?? '');
      return;
    }
    const refusal = requestRefusal(req, 'resource' in entry);
    if (refusal) {
      if (refusal.status === 401) res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      refuse(res, refusal.status, [refusal.issue], entry);
      return;
    }
    next();
  });

  fhir.put('/Appointment/:id', (req, res) => {
    const entry = res.locals['entry'] as FhirReceived & { outcome?: string };
    const issues = checkAppointment(entry.resource, req.params['id'] as string, acceptedSystems);
    if (issues.length > 0) {
      refuse(res, 400, issues, entry);
      return;
    }
    const id = req.params['id'] as string;
    const resource = entry.resource as { status: string };
    const before = appointments.get(id);
    // An unchanged PUT is ignored: the patient is not told again.
    if (before === undefined || JSON.stringify(before) !== JSON.stringify(resource)) {
      appointments.set(id, resource);
      notices.push({
        kind:
          resource.status === 'cancelled' ? 'cancelled' : before === undefined ? 'new' : 'modified',
        id,
      });
    }
    res.status(200).type('application/fhir+json').send(JSON.stringify(resource));
  });

  fhir.post('/Communication', (req, res) => {
    const entry = res.locals['entry'] as FhirReceived & { outcome?: string };
    const issues = checkCommunication(entry.resource, acceptedSystems);
    if (issues.length > 0) {
      refuse(res, 400, issues, entry);
      return;
    }
    const id = `c${++communicationIds}`;
    const stored = { ...(entry.resource as object), id };
    communications.push(stored);
    notices.push({ kind: 'message', id });
    res
      .status(201)
      .location(`${baseUrl}/Communication/${id}`)
      .type('application/fhir+json')
      .send(JSON.stringify(stored));
  });

  fhir.use((req, res) => {
    refuse(
      res,
      404,
      [
        {
          code: 'not-supported',
          diagnostics: `no ${req.method} ${req.path} here`,
          expression: 'url',
        },
      ],
      res.locals['entry'] as { outcome?: string },
    );
  });
  app.use('/fhir/r4', fhir);

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  // Longer than a test's pause or a compile blocking the loop, so that a
  // client never reuses a connection the server has just closed.
  server.keepAliveTimeout = 60_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const baseUrl = `${origin}/fhir/r4`;
  const fhirOnly = () => received.filter((r) => r.path !== '/oauth/token');

  return {
    baseUrl,
    tokenUrl: `${origin}/oauth/token`,
    clientId,
    clientSecret,
    organization,
    organizationHeader,
    received,
    accepted: () => fhirOnly().filter((r) => r.status >= 200 && r.status < 300),
    appointments: () => appointments,
    communications: () => communications,
    notices,
    get tokensIssued() {
      return tokensIssued;
    },
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    revokeTokens() {
      tokens.clear();
    },
    async close() {
      hung.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One request as an operator may read it: method, path, status and what it did, never an identifier. */
export function describeReceived(r: FhirReceived): string {
  const status = (r.resource as { status?: unknown } | undefined)?.status;
  const what = typeof status === 'string' && r.path.startsWith('/Appointment/') ? ` ${status}` : '';
  const outcome = r.outcome ? ` (${r.outcome})` : '';
  return `${r.method} ${r.path}${what} → ${r.status}${outcome}`;
}

/**
 * `tidbok fhir-sim`: runs the simulator until SIGINT/SIGTERM (or `signal`),
 * printing where it listens, the credentials it accepts, and one line per
 * request. Resolves when it has stopped.
 */
export async function runFhirSimulatorCommand(
  options: FhirSimulatorOptions & { readonly signal?: AbortSignal } = {},
  out: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  const simulator = await startFhirSimulator(options);
  out(`FHIR portal simulator listening at ${simulator.baseUrl}`);
  out(`  SPREEKUUR_URL=${simulator.baseUrl}`);
  out(`  SPREEKUUR_TOKEN_URL=${simulator.tokenUrl}`);
  out(`  SPREEKUUR_CLIENT_ID=${simulator.clientId}`);
  out(`  SPREEKUUR_CLIENT_SECRET=${simulator.clientSecret}`);
  out(`  SPREEKUUR_ORGANIZATION=${simulator.organization}`);
  out(`  SPREEKUUR_ORGANIZATION_HEADER=${simulator.organizationHeader}`);
  let seen = 0;
  const print = () => {
    while (seen < simulator.received.length) {
      const r = simulator.received[seen++]!;
      if (r.path !== '/oauth/token')
        out(`${new Date(r.atUtcMs).toISOString()} ${describeReceived(r)}`);
    }
  };
  const timer = setInterval(print, 200);
  timer.unref();
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop);
  });
  clearInterval(timer);
  print();
  await simulator.close();
}
