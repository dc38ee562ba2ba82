/**
 * Deliberately broken producers for the verify tests: an HTTP proxy in
 * front of a real tidbok that changes requests or answers in one way each.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NS } from '../../src/contracts/namespaces.ts';

export interface ProxiedAnswer {
  status: number;
  body: string;
}

/** What a broken producer does differently; each hook sees one SOAP POST. */
export interface Breakage {
  request?(body: string, path: string): string;
  response?(answer: ProxiedAnswer, request: { path: string; body: string }): ProxiedAnswer;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a proxy to `targetUrl` that applies `breakage` to every POST; GETs pass unchanged. */
export async function startBrokenProducer(targetUrl: string, breakage: Breakage) {
  const server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '/';
      const original = await readAll(req);
      const body =
        req.method === 'POST' ? (breakage.request?.(original, path) ?? original) : original;
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'soapaction'])
        if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
      const upstream = await fetch(targetUrl + path, {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'POST' ? { body } : {}),
      });
      let answer: ProxiedAnswer = { status: upstream.status, body: await upstream.text() };
      if (req.method === 'POST') answer = breakage.response?.(answer, { path, body }) ?? answer;
      res.writeHead(answer.status, {
        'Content-Type': upstream.headers.get('content-type') ?? 'text/xml; charset=UTF-8',
      });
      res.end(answer.body);
    })().catch(() => {
      res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const isOperation = (path: string, name: string) => path.startsWith(`/crm/scheduling/${name}/`);
// timeslotDetail has a prefix in tidbok's answers; its children are in the default namespace.
const TIMESLOT_DETAIL = /<(\w+):timeslotDetail>([\s\S]*?)<\/\1:timeslotDetail>/g;

/** Moves every child of `timeslotDetail` into the responder namespace (the parent's prefix). */
export const timeslotChildrenInResponderNamespace: Breakage = {
  response: (answer) => ({
    ...answer,
    body: answer.body.replace(
      TIMESLOT_DETAIL,
      (_, prefix: string, inner: string) =>
        `<${prefix}:timeslotDetail>${inner.replace(/<(\/?)(?:\w+:)?/g, `<$1${prefix}:`)}</${prefix}:timeslotDetail>`,
    ),
  }),
};

/** Answers every SOAP Fault with HTTP 200 instead of 500. */
export const faultsWithHttp200: Breakage = {
  response: (answer) => (answer.status === 500 ? { ...answer, status: 200 } : answer),
};

/** Leaves `healthcare_facility` (mandatory in TimeslotType) out of GetSubjectOfCareSchedule's answers. */
export const scheduleWithoutFacility: Breakage = {
  response: (answer, request) =>
    isOperation(request.path, 'GetSubjectOfCareSchedule')
      ? {
          ...answer,
          body: answer.body.replace(
            /<(\w+:)?healthcare_facility>[^<]*<\/\1?healthcare_facility>/g,
            '',
          ),
        }
      : answer,
};

/** Puts `facility` in every request's LogicalAddress header, whatever the consumer sent (or if none). */
export function anyLogicalAddress(facility: string): Breakage {
  return {
    request: (body) =>
      body
        .replace(/<(\w+:)?LogicalAddress\b[^>]*>[^<]*<\/\1?LogicalAddress>/, '')
        .replace(
          /(<(\w+:)?Header\b[^>]*>)/,
          `$1<LogicalAddress xmlns="${NS.registry}">${facility}</LogicalAddress>`,
        ),
  };
}

/**
 * Keeps offering a slot after MakeBooking took it: remembers every
 * timeslotDetail it passed on, and puts a booked one back into later
 * GetAvailableTimeslots answers (new bookings only, not rebooking queries).
 */
export function keepsOfferingBookedSlots(): Breakage {
  const seen = new Map<string, string>();
  const booked = new Set<string>();
  const slotIdOf = (xml: string) => /<(\w+:)?bookingId>([^<]*)<\/\1?bookingId>/.exec(xml)?.[2];
  return {
    response(answer, request) {
      if (isOperation(request.path, 'MakeBooking') && /resultCode>OK</.test(answer.body)) {
        const id = slotIdOf(request.body);
        if (id) booked.add(id);
      }
      if (!isOperation(request.path, 'GetAvailableTimeslots') || /bookingId>/.test(request.body))
        return answer;
      const offered = new Set<string>();
      for (const match of answer.body.matchAll(TIMESLOT_DETAIL)) {
        const id = slotIdOf(match[0]);
        if (id) {
          seen.set(id, match[0]);
          offered.add(id);
        }
      }
      const putBack = [...booked].filter((id) => !offered.has(id) && seen.has(id));
      if (putBack.length === 0) return answer;
      const extra = putBack.map((id) => seen.get(id)!).join('');
      return {
        ...answer,
        body: answer.body.replace(/(<\/(?:\w+:)?GetAvailableTimeslotsResponse>)/, `${extra}$1`),
      };
    },
  };
}
