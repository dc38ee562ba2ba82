/**
 * A stand-in for Kivra's sender API, for tests and demo mode: an HTTP server
 * on 127.0.0.1 with the three calls this producer makes, checked as Kivra
 * documents them (channels.md §1):
 * - `POST /v1/auth`: HTTP Basic client id and secret, form
 *   `grant_type=client_credentials`; answers a bearer token with `expires_in`.
 * - `POST /v2/tenant/{tenantKey}/usermatch/ssn`: `{"list": [ssn…]}` answers
 *   the subset that are Kivra users.
 * - `POST /v2/tenant/{tenantKey}/content`: the v2 shape (v1's `context` and
 *   `files` refused), one recipient, `subject` of at most 35 characters, a
 *   known `type`, parts with base64 data and at least one PDF, an HTML
 *   responsive part without scripts or remote assets, and for `booking` a
 *   `title`, a future `start_time` with an offset and an `end_time` after it
 *   (`retain` refused); bodies of at most 1 MB; at most 50 contents per
 *   recipient per minute. 201 with `kivra-objkey` and `x-correlation-id`.
 * Errors are `{code, short_message, long_message}` with the code in
 * `x-error-code` too; the first three digits are the HTTP status.
 *
 * Deliberately stricter than Kivra in one place: a `start_time` without an
 * offset is refused, where Kivra reads it as UTC (a wrong hour in Sweden).
 *
 * It keeps every request it received and can be told to fail, answer 429,
 * hang, or know only some recipients.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { checkSubjectOfCareId, maskPersonIdsInText } from '../domain/personnummer.ts';
import { untilStopped } from './until-stopped.ts';

/** Kivra's limit on one content (channels.md §1). */
export const KIVRA_MAX_CONTENT_BYTES = 1024 * 1024;
/** Kivra's limit on contents per recipient per minute. */
export const KIVRA_CONTENTS_PER_MINUTE = 50;
/** Kivra's limit on subjects. */
const MAX_SUBJECT_CHARS = 35;
/** Content types Kivra knows (`invite.*` only for research, gift, sign, voucher, kyc). */
const CONTENT_TYPES = new Set([
  'letter',
  'letter.salary',
  'letter.creditnotice',
  'booking',
  'invoice',
  'invoice.reminder',
  'invite.research',
  'invite.gift',
  'invite.sign',
  'invite.voucher',
  'invite.kyc',
]);
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Which endpoint a request went to. */
export type KivraEndpoint = 'auth' | 'usermatch' | 'content' | 'other';

/** One request the simulator received, for assertions in tests. */
export interface KivraReceivedRequest {
  readonly atUtcMs: number;
  readonly endpoint: KivraEndpoint;
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  /** The raw body, exactly as received. */
  readonly body: string;
  /** The HTTP status it was answered with (0: not answered). */
  readonly status: number;
  /** Kivra's error code, when it was refused. */
  readonly errorCode?: string;
}

/** A content Kivra accepted. */
export interface KivraAcceptedContent {
  readonly objkey: string;
  readonly correlationId: string;
  readonly atUtcMs: number;
  /** The raw body, exactly as received. */
  readonly body: string;
  readonly content: Record<string, unknown>;
}

/** A failure the next requests get instead of normal processing. */
export type KivraFailure =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'rate-limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'unauthorized' }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly code: number;
      /** Kivra's spec says integer, its error catalogue string: the sender must read both. */
      readonly codeAs?: 'number' | 'string';
    };

export interface KivraSimulatorOptions {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly tenantKey?: string;
  /** Lifetime of issued tokens (s); Kivra's is 28 800 (8 h). */
  readonly tokenTtlSeconds?: number;
  /** Recipients who are Kivra users; every valid personnummer by default. */
  readonly users?: readonly string[] | 'everyone';
  /** Clock; `Date.now` by default. */
  readonly now?: () => number;
}

export interface KivraSimulator {
  /** The API base, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantKey: string;
  /** Every request received, in arrival order. */
  readonly requests: readonly KivraReceivedRequest[];
  /** Every content accepted, in order. */
  readonly contents: readonly KivraAcceptedContent[];
  /** The next `n` requests to `endpoint` (content by default) get this failure. */
  failNext(n: number, failure: KivraFailure, endpoint?: KivraEndpoint): void;
  /** Who is a Kivra user from now on. */
  setUsers(users: readonly string[] | 'everyone'): void;
  /** Makes every token issued so far invalid, as if it had expired. */
  revokeTokens(): void;
  /** Waits this long before answering each request (ms). */
  setDelay(ms: number): void;
  /** Calls `listener` for each request once it is answered; returns a function that stops it. */
  onRequest(listener: (request: KivraReceivedRequest) => void): () => void;
  close(): Promise<void>;
}

/** A refusal in Kivra's error shape. */
class KivraError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const invalid = (message: string, code = 40000) => new KivraError(400, code, message);

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkSsn(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{12}$/.test(value) || checkSubjectOfCareId(value))
    throw invalid('ssn must be 12 digits, YYYYMMDDnnnn', 40009);
  return value;
}

function checkFile(file: unknown, where: string): Record<string, unknown> {
  if (!isObject(file)) throw invalid(`${where} must be an object`, 40019);
  for (const field of ['name', 'data', 'content_type'])
    if (typeof file[field] !== 'string' || file[field] === '')
      throw invalid(`${where}.${field} is required`, 40019);
  const data = file['data'] as string;
  if (data.length % 4 !== 0 || !BASE64.test(data))
    throw invalid(`${where}.data is not base64`, 40028);
  return file;
}

/** Kivra's rules for the HTML part: no JavaScript, inline assets only. */
function checkResponsivePart(part: Record<string, unknown>, where: string): void {
  if (part['content_type'] !== 'text/html')
    throw invalid(`${where}.content_type must be text/html`, 40028);
  const html = Buffer.from(part['data'] as string, 'base64').toString('utf8');
  if (/<script\b/i.test(html) || /\son[a-z]+\s*=/i.test(html))
    throw invalid(`${where} must not hold scripts`, 40028);
  if (
    /\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html) ||
    /url\(\s*["']?(https?:)?\/\//i.test(html)
  )
    throw invalid(`${where} must not load remote assets`, 40028);
}

function checkBooking(booking: unknown, nowMs: number): void {
  if (!isObject(booking)) throw invalid('booking is required for type booking');
  if (typeof booking['title'] !== 'string' || booking['title'] === '')
    throw invalid('booking.title is required');
  const start = booking['start_time'];
  if (typeof start !== 'string' || !ISO_WITH_OFFSET.test(start))
    throw invalid('booking.start_time must be ISO 8601 with an offset');
  const startMs = Date.parse(start);
  if (!(startMs > nowMs)) throw invalid('booking.start_time must be in the future');
  const end = booking['end_time'];
  if (end !== undefined) {
    if (typeof end !== 'string' || !ISO_WITH_OFFSET.test(end))
      throw invalid('booking.end_time must be ISO 8601 with an offset');
    if (!(Date.parse(end) > startMs)) throw invalid('booking.end_time must be after start_time');
  }
  for (const field of ['location', 'description'])
    if (booking[field] !== undefined && typeof booking[field] !== 'string')
      throw invalid(`booking.${field} must be a string`);
  const infoUrl = booking['info_url'];
  if (infoUrl !== undefined && (typeof infoUrl !== 'string' || !infoUrl.startsWith('https://')))
    throw invalid('booking.info_url must be an https URL');
}

/** Kivra's validation of a v2 content; returns the recipient. */
function checkContent(content: Record<string, unknown>, nowMs: number): string {
  if ('context' in content || 'files' in content)
    throw invalid('context and files are the removed v1 shape; use booking and parts');
  const recipients = ['ssn', 'email', 'vat_number'].filter((k) => content[k] !== undefined);
  if (recipients.length !== 1) throw invalid('exactly one recipient is required', 40024);
  if (recipients[0] !== 'ssn') throw invalid('this simulator knows ssn recipients only', 40024);
  const ssn = checkSsn(content['ssn']);
  const subject = content['subject'];
  if (typeof subject !== 'string' || subject.trim() === '') throw invalid('subject is required');
  if ([...subject].length > MAX_SUBJECT_CHARS)
    throw invalid(`subject is longer than ${MAX_SUBJECT_CHARS} characters`);
  const type = content['type'];
  if (typeof type !== 'string' || !CONTENT_TYPES.has(type))
    throw invalid('type is missing or unknown', 40012);
  if (content['generated_at'] !== undefined && typeof content['generated_at'] !== 'string')
    throw invalid('generated_at must be a string');
  const parts = content['parts'];
  if (!Array.isArray(parts) || parts.length === 0) throw invalid('parts are required', 40019);
  const checked = parts.map((p, i) => checkFile(p, `parts[${i}]`));
  if (!checked.some((p) => p['content_type'] === 'application/pdf'))
    throw invalid('a content must hold a PDF part', 40019);
  checked.forEach((p, i) => {
    if (p['responsive_part'] !== undefined)
      checkResponsivePart(
        checkFile(p['responsive_part'], `parts[${i}].responsive_part`),
        `parts[${i}].responsive_part`,
      );
  });
  if (type === 'booking') {
    if (content['retain'] !== undefined)
      throw new KivraError(422, 42221, 'retain is not allowed for a booking');
    checkBooking(content['booking'], nowMs);
  } else if (content['booking'] !== undefined) {
    throw invalid('booking is only allowed for type booking');
  }
  return ssn;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a simulated Kivra sender API on 127.0.0.1. */
export async function startKivraSimulator(
  options: KivraSimulatorOptions = {},
): Promise<KivraSimulator> {
  const clientId = options.clientId ?? 'tidbok-demo';
  const clientSecret = options.clientSecret ?? 'demo-secret';
  const tenantKey = options.tenantKey ?? 'demo-tenant';
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 28_800;
  const now = options.now ?? Date.now;
  let users: ReadonlySet<string> | 'everyone' =
    !options.users || options.users === 'everyone' ? 'everyone' : new Set(options.users);
  const tokens = new Map<string, number>();
  const requests: KivraReceivedRequest[] = [];
  const contents: KivraAcceptedContent[] = [];
  const failures: Record<KivraEndpoint, KivraFailure[]> = {
    auth: [],
    usermatch: [],
    content: [],
    other: [],
  };
  const sentTo = new Map<string, number[]>();
  const listeners = new Set<(request: KivraReceivedRequest) => void>();
  const sockets = new Set<Socket>();
  let delayMs = 0;

  const isUser = (ssn: string) => users === 'everyone' || users.has(ssn);
  const contentPath = `/v2/tenant/${tenantKey}/content`;
  const usermatchPath = `/v2/tenant/${tenantKey}/usermatch/ssn`;

  const endpointOf = (path: string): KivraEndpoint => {
    if (path === '/v1/auth') return 'auth';
    if (/^\/v2\/tenant\/[^/]+\/usermatch\/ssn$/.test(path)) return 'usermatch';
    if (/^\/v2\/tenant\/[^/]+\/content$/.test(path)) return 'content';
    return 'other';
  };

  const authorize = (req: IncomingMessage, path: string) => {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/i.exec(header)?.[1];
    const expires = token === undefined ? undefined : tokens.get(token);
    if (expires === undefined || expires <= now())
      throw new KivraError(401, 40100, 'the access token is missing, unknown or expired');
    if (path !== contentPath && path !== usermatchPath)
      throw new KivraError(403, 40300, 'the token is not valid for this tenant');
  };

  const auth = (req: IncomingMessage, body: string) => {
    const basic = /^Basic (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    // RFC 6749 §2.3.1: each part is form-encoded before the Basic encoding.
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
      : [];
    if (id !== clientId || secret !== clientSecret)
      throw new KivraError(401, 40100, 'unknown client or wrong secret');
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? ''))
      throw invalid('the body must be application/x-www-form-urlencoded');
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials')
      throw invalid('grant_type must be client_credentials');
    const token = randomBytes(24).toString('hex');
    tokens.set(token, now() + tokenTtlSeconds * 1000);
    return {
      status: 200,
      json: {
        access_token: token,
        expires_in: tokenTtlSeconds,
        scope: `post:kivra.v2.tenant.${tenantKey}.content get:kivra.v2.tenant.${tenantKey}.usermatch.ssn`,
        token_type: 'bearer',
        state: null,
      },
      headers: {},
    };
  };

  const parseJson = (req: IncomingMessage, body: string): unknown => {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      throw invalid('the body must be application/json', 40008);
    try {
      return JSON.parse(body);
    } catch {
      throw invalid('the body is not valid JSON', 40008);
    }
  };

  const usermatch = (req: IncomingMessage, body: string) => {
    const parsed = parseJson(req, body);
    if (!isObject(parsed) || !Array.isArray(parsed['list'])) throw invalid('list is required');
    const list = parsed['list'].map(checkSsn);
    return { status: 200, json: { list: list.filter(isUser) }, headers: {} };
  };

  const content = (req: IncomingMessage, body: string, atUtcMs: number) => {
    const parsed = parseJson(req, body);
    if (!isObject(parsed)) throw invalid('the body must be a JSON object', 40008);
    const ssn = checkContent(parsed, atUtcMs);
    if (!isUser(ssn)) throw invalid('the recipient is not a Kivra user', 40032);
    const recent = (sentTo.get(ssn) ?? []).filter((t) => t > atUtcMs - 60_000);
    if (recent.length >= KIVRA_CONTENTS_PER_MINUTE) {
      const waitS = Math.max(1, Math.ceil((recent[0]! + 60_000 - atUtcMs) / 1000));
      throw new KivraError(429, 42900, 'too many contents for this recipient', {
        'retry-after': String(waitS),
      });
    }
    sentTo.set(ssn, [...recent, atUtcMs]);
    const objkey = randomBytes(16).toString('hex');
    return {
      status: 201,
      json: {
        subject: parsed['subject'],
        generated_at: parsed['generated_at'],
        type: parsed['type'],
      },
      headers: { 'kivra-objkey': objkey, location: `${contentPath}/${objkey}` },
      accepted: { objkey, content: parsed },
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const atUtcMs = now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const endpoint = endpointOf(path);
    const raw = await readBody(req, KIVRA_MAX_CONTENT_BYTES);
    const body = raw === 'too-large' ? '' : raw.toString('utf8');
    const correlationId = randomUUID();
    const record = (status: number, errorCode?: string) => {
      const request: KivraReceivedRequest = {
        atUtcMs,
        endpoint,
        method: req.method ?? '',
        path,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body,
        status,
        ...(errorCode === undefined ? {} : { errorCode }),
      };
      requests.push(request);
      for (const listener of listeners) listener(request);
    };
    const send = async (
      status: number,
      json: unknown,
      headers: Readonly<Record<string, string>>,
    ) => {
      if (delayMs > 0) await sleep(delayMs);
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-correlation-id': correlationId,
        ...headers,
      });
      res.end(JSON.stringify(json));
    };
    const refuse = (error: KivraError, codeAs: 'number' | 'string' = 'number') => {
      record(error.status, String(error.code));
      return send(
        error.status,
        {
          code: codeAs === 'string' ? String(error.code) : error.code,
          short_message: error.message,
          long_message: `${error.message} (simulated Kivra)`,
        },
        { 'x-error-code': String(error.code), ...error.headers },
      );
    };

    const failure = failures[endpoint].shift();
    if (failure) {
      switch (failure.kind) {
        case 'hang':
          record(0);
          return;
        case 'reset':
          record(0);
          req.socket.resetAndDestroy();
          return;
        case 'status':
          record(failure.status);
          return send(failure.status, { message: 'simulated failure' }, {});
        case 'rate-limited':
          return refuse(
            new KivraError(429, 42900, 'too many requests', {
              'retry-after': String(failure.retryAfterSeconds),
            }),
          );
        case 'unauthorized':
          return refuse(new KivraError(401, 40100, 'the access token is no longer valid'));
        case 'error':
          return refuse(
            new KivraError(failure.status, failure.code, 'simulated refusal'),
            failure.codeAs,
          );
      }
    }

    try {
      if (req.method !== 'POST' || endpoint === 'other')
        throw new KivraError(404, 40400, 'no such resource');
      if (raw === 'too-large')
        throw new KivraError(
          413,
          41300,
          `the body is larger than ${KIVRA_MAX_CONTENT_BYTES} bytes`,
        );
      if (endpoint === 'auth') {
        const answer = auth(req, body);
        record(answer.status);
        return send(answer.status, answer.json, answer.headers);
      }
      authorize(req, path);
      if (endpoint === 'usermatch') {
        const answer = usermatch(req, body);
        record(answer.status);
        return send(answer.status, answer.json, answer.headers);
      }
      const answer = content(req, body, atUtcMs);
      contents.push({ ...answer.accepted, correlationId, atUtcMs, body });
      record(answer.status);
      return send(answer.status, answer.json, answer.headers);
    } catch (err) {
      if (err instanceof KivraError) return refuse(err);
      throw err;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    tenantKey,
    requests,
    contents,
    failNext(n, failure, endpoint = 'content') {
      for (let i = 0; i < n; i++) failures[endpoint].push(failure);
    },
    setUsers(list) {
      users = list === 'everyone' ? 'everyone' : new Set(list);
    },
    revokeTokens() {
      tokens.clear();
    },
    setDelay(ms) {
      delayMs = ms;
    },
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** One line about a request, for the demo log: no person id, no secret. */
export function describeKivraRequest(request: KivraReceivedRequest): string {
  let what = '';
  if (request.endpoint === 'content' && request.status === 201) {
    const content = JSON.parse(request.body) as Record<string, unknown>;
    const booking = content['booking'] as Record<string, unknown> | undefined;
    what = ` ${String(content['type'])} "${String(content['subject'])}"${booking ? ` at ${String(booking['start_time'])}` : ''}`;
  }
  const error = request.errorCode ? ` error ${request.errorCode}` : '';
  return maskPersonIdsInText(
    `${request.method} ${request.path} → ${request.status}${error}${what}`,
  );
}

/** `tidbok kivra-sim`: runs the simulator until SIGINT/SIGTERM (or `signal`), printing each request. */
export async function runKivraSimulatorCommand(
  options: KivraSimulatorOptions & { readonly signal?: AbortSignal } = {},
  out: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  const simulator = await startKivraSimulator(options);
  out(
    `Kivra simulator listening at ${simulator.url} (client id ${simulator.clientId}, tenant key ${simulator.tenantKey})`,
  );
  simulator.onRequest((request) =>
    out(`${new Date(request.atUtcMs).toISOString()} ${describeKivraRequest(request)}`),
  );
  await untilStopped(options.signal);
  await simulator.close();
}
