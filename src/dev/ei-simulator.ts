/**
 * A stand-in for the national engagement index, for tests and demos: an HTTP
 * server on 127.0.0.1 that takes EI `Update` calls and checks them as
 * skltp/ei does (rivta-spec §4, `EngagementValidator.java`):
 * - the `x-skltp-correlation-id` header is required;
 * - LogicalAddress must be its own HSA-id (EI003, compared exactly);
 * - 1–1000 engagements per call (EI000);
 * - no two transactions with the same key in one call (EI002);
 * - key fields non-empty, without padding whitespace, within EI's lengths,
 *   and dates strict `yyyyMMddHHmmss` in Europe/Stockholm, the spring DST gap
 *   refused (EI004);
 * - reserved HSA-ids as logicalAddress (EI005) or sourceSystem (EI006).
 * Errors are HTTP 500 SOAP 1.1 faults, `soap:Server`, `faultstring "EI00x: …"`.
 *
 * Deliberately stricter than EI in one place: the request is decoded with
 * our contract description, so a registeredResidentIdentification that is
 * not 12 characters is refused (EI001) where EI would silently store an
 * engagement 1177 never finds (rivta-spec §5).
 *
 * Optionally it imitates EI's collect window (`collectWindowMs`): calls with
 * one engagement are held and merged per key (a delete beats a later create,
 * the larger `mostRecentContent` wins); calls with more go straight through.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Decoded } from '../contracts/model.ts';
import { NS } from '../contracts/namespaces.ts';
import { engagementKeyFields, Update } from '../contracts/engagement-index.ts';
import { checkTs, instantToTs, isInDstGap } from '../domain/local-time.ts';
import { DecodeError, decodeComplex } from '../xml/decode.ts';
import { encodeElement, prefixesFor } from '../xml/encode.ts';
import { escapeText } from '../xml/escape.ts';
import { XmlParseError, parseXml } from '../xml/parse.ts';
import type { XmlElement } from '../xml/parse.ts';
import type { Engagement } from '../channels/engagement-index/engagement-mapping.ts';
import { untilStopped } from './until-stopped.ts';

type UpdateRequest = Decoded<typeof Update.request>;
type DecodedEngagement = UpdateRequest['engagementTransaction'][number]['engagement'];

/** An engagement as the simulated index holds it: what was sent, and what the index adds. */
export interface HeldEngagement extends Omit<Engagement, 'categorization'> {
  /** As sent; the index does not restrict it to Booking and Invitation. */
  readonly categorization: string;
  /** Set by the index to its own HSA-id, whatever the caller sent. */
  readonly owner: string;
  readonly creationTime: string;
  readonly updateTime: string;
}

/** One transaction of a received call, as decoded. */
export interface ReceivedTransaction {
  readonly deleteFlag: boolean;
  readonly engagement: DecodedEngagement;
  /** EI's key: SHA-256 (hex) of the nine key fields. */
  readonly key: string;
}

/** One HTTP request the simulator received, for assertions in tests. */
export interface ReceivedCall {
  readonly atUtcMs: number;
  readonly correlationId: string | undefined;
  readonly soapAction: string | undefined;
  readonly logicalAddress: string | undefined;
  /** The raw request body. */
  readonly body: string;
  /** Decoded transactions; empty when the request could not be decoded. */
  readonly transactions: readonly ReceivedTransaction[];
  /** `OK`, or the fault string / injected failure it was answered with. */
  readonly outcome: string;
}

/** A failure the next calls get instead of normal processing. */
export type EiFailureKind = 'http500-EI000' | 'connection-reset' | 'hang' | 'EI002';

export interface EiSimulatorOptions {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  /** The index's own HSA-id, the only LogicalAddress it accepts. Default `5565594230`. */
  readonly hsaId?: string;
  /** HSA-ids refused as logicalAddress (EI005) or sourceSystem (EI006). Default: `hsaId`. */
  readonly reservedIds?: readonly string[];
  /** Imitate EI's collect window for single-engagement calls (ms). Default 0: apply at once. */
  readonly collectWindowMs?: number;
}

export interface EiSimulator {
  /** The Update endpoint, `http://127.0.0.1:<port>/…`. */
  readonly url: string;
  readonly hsaId: string;
  /** Every call received, in arrival order. */
  readonly calls: readonly ReceivedCall[];
  /**
   * Keys (SHA-256 hex) that arrived while an earlier call with the same key
   * was still being answered: updates sent concurrently (EI-TKB "Parallella
   * anrop"). Empty when the sender keeps one call in flight per key.
   */
  readonly overlappingKeys: readonly string[];
  /** The engagements currently held (collect window applied). */
  engagements(): HeldEngagement[];
  /** FindContent, in process: the person's engagements, optionally in one service domain. */
  findContent(registeredResidentIdentification: string, serviceDomain?: string): HeldEngagement[];
  /** Answers the next `n` Update calls with this failure instead of processing them. */
  failNext(n: number, kind: EiFailureKind): void;
  /** Waits this long before answering each call (ms). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

const DEFAULT_HSA_ID = '5565594230';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** EI's field limits (`EngagementValidator.validateFieldMaxLength`). */
// EI overwrites owner, so it has no limit here.
const MAX_LENGTH: Record<Exclude<keyof DecodedEngagement, 'owner'>, number> = {
  registeredResidentIdentification: 32,
  serviceDomain: 255,
  categorization: 255,
  logicalAddress: 64,
  businessObjectInstanceIdentifier: 128,
  clinicalProcessInterestId: 128,
  sourceSystem: 64,
  dataController: 64,
  mostRecentContent: 14,
  updateTime: 14,
  creationTime: 14,
};

const KEY_FIELDS = [
  'registeredResidentIdentification',
  'serviceDomain',
  'categorization',
  'logicalAddress',
  'businessObjectInstanceIdentifier',
  'clinicalProcessInterestId',
  'sourceSystem',
  'dataController',
] as const;

const DATE_FIELDS = ['mostRecentContent', 'updateTime', 'creationTime'] as const;

/** An answer the index gives as a SOAP fault. */
class EiFault extends Error {}

/** EI's key: SHA-256 over the nine key fields, owner being the index itself. */
function keyOf(e: DecodedEngagement, owner: string): string {
  const fields = engagementKeyFields.map((f) => (f === 'owner' ? owner : e[f]));
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

function validateEngagement(
  e: DecodedEngagement,
  index: number,
  reserved: ReadonlySet<string>,
): void {
  for (const field of KEY_FIELDS) {
    const value = e[field];
    if (value !== '' && value.trim() !== value)
      throw new EiFault(`EI004: field "${field}" starts or ends with white space`);
  }
  if (reserved.has(e.logicalAddress))
    throw new EiFault(`EI005: logicalAddress in transaction #${index} is reserved`);
  if (reserved.has(e.sourceSystem))
    throw new EiFault(`EI006: sourceSystem in transaction #${index} is reserved`);
  for (const field of KEY_FIELDS)
    if (e[field] === '') throw new EiFault(`EI004: mandatory field "${field}" is missing`);
  for (const field of Object.keys(MAX_LENGTH) as (keyof typeof MAX_LENGTH)[]) {
    const value = e[field];
    if (value !== undefined && value.length > MAX_LENGTH[field])
      throw new EiFault(`EI004: field "${field}" is too long`);
  }
  for (const field of DATE_FIELDS) {
    const value = e[field];
    if (value === undefined || value === '') continue;
    const problem = checkTs(value) ?? (isInDstGap(value) ? 'is in the DST gap' : undefined);
    if (problem) throw new EiFault(`EI004: field "${field}" ${problem}`);
  }
}

function child(element: XmlElement | undefined, ns: string, local: string) {
  return element?.children.find((c) => c.ns === ns && c.local === local);
}

const responsePrefixes = prefixesFor(Update.response);

/** EI's answer to an accepted Update: an UpdateResponse with ResultCode OK. */
export function okEnvelope(): string {
  const body = encodeElement(
    'UpdateResponse',
    Update.responderNs,
    Update.response,
    { ResultCode: 'OK' },
    responsePrefixes,
  );
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soapEnv}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** EI's answer to a refused Update: a SOAP 1.1 Server fault, e.g. `EI004: …`. */
export function faultEnvelope(faultstring: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soapEnv}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>${escapeText(faultstring)}</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a simulated engagement index on 127.0.0.1. */
export async function startEiSimulator(options: EiSimulatorOptions = {}): Promise<EiSimulator> {
  const hsaId = options.hsaId ?? DEFAULT_HSA_ID;
  const reserved = new Set(options.reservedIds ?? [hsaId]);
  const collectWindowMs = options.collectWindowMs ?? 0;
  const held = new Map<string, HeldEngagement>();
  const calls: ReceivedCall[] = [];
  const overlappingKeys: string[] = [];
  const inProgress = new Map<string, number>();
  const failures: EiFailureKind[] = [];
  const collecting = new Map<string, { tx: ReceivedTransaction; timer: NodeJS.Timeout }>();
  const sockets = new Set<Socket>();
  let delayMs = 0;

  const apply = (tx: ReceivedTransaction) => {
    const now = instantToTs(Date.now());
    if (tx.deleteFlag) {
      // Deleting an unknown key is silently ignored, as EI does.
      held.delete(tx.key);
      return;
    }
    const e = tx.engagement;
    held.set(tx.key, {
      registeredResidentIdentification: e.registeredResidentIdentification,
      serviceDomain: e.serviceDomain,
      categorization: e.categorization,
      logicalAddress: e.logicalAddress,
      businessObjectInstanceIdentifier: e.businessObjectInstanceIdentifier,
      clinicalProcessInterestId: e.clinicalProcessInterestId,
      ...(e.mostRecentContent === undefined ? {} : { mostRecentContent: e.mostRecentContent }),
      sourceSystem: e.sourceSystem,
      dataController: e.dataController,
      owner: hsaId,
      creationTime: held.get(tx.key)?.creationTime ?? now,
      updateTime: now,
    });
  };

  // EiCollectionAggregationStrategy: per key, a delete wins over anything
  // merged with it, and between two upserts the larger mostRecentContent.
  const collect = (tx: ReceivedTransaction) => {
    const pending = collecting.get(tx.key);
    if (!pending) {
      const timer = setTimeout(() => {
        const done = collecting.get(tx.key);
        collecting.delete(tx.key);
        if (done) apply(done.tx);
      }, collectWindowMs);
      collecting.set(tx.key, { tx, timer });
      return;
    }
    const a = pending.tx;
    const winner = a.deleteFlag
      ? a
      : tx.deleteFlag
        ? tx
        : (tx.engagement.mostRecentContent ?? '') > (a.engagement.mostRecentContent ?? '')
          ? tx
          : a;
    pending.tx = winner;
  };

  const validate = (logicalAddress: string | undefined, request: UpdateRequest) => {
    if (!logicalAddress)
      throw new EiFault(`EI003: invalid routing, logical address is missing, owner is ${hsaId}`);
    if (logicalAddress !== hsaId)
      throw new EiFault(
        `EI003: invalid routing, logical address is ${logicalAddress} but the owner is ${hsaId}`,
      );
    const transactions = request.engagementTransaction;
    if (transactions.length < 1 || transactions.length > 1000)
      throw new EiFault(
        `EI000: a request must hold 1 to 1000 engagements, this one holds ${transactions.length}`,
      );
    const seen = new Map<string, number>();
    transactions.forEach((t, i) => {
      const key = keyOf(t.engagement, hsaId);
      const other = seen.get(key);
      if (other !== undefined)
        throw new EiFault(
          `EI002: engagementTransaction #${other} and #${i + 1} have the same key, which is not allowed`,
        );
      seen.set(key, i + 1);
      validateEngagement(t.engagement, i + 1, reserved);
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const atUtcMs = Date.now();
    const body = await readBody(req);
    const correlationId = req.headers['x-skltp-correlation-id'] as string | undefined;
    const soapAction = req.headers['soapaction'] as string | undefined;
    let logicalAddress: string | undefined;
    let transactions: ReceivedTransaction[] = [];
    const keys: string[] = [];
    const call = (outcome: string) =>
      calls.push({
        atUtcMs,
        correlationId,
        soapAction,
        logicalAddress,
        body,
        transactions,
        outcome,
      });

    const send = async (status: number, xml: string) => {
      if (delayMs > 0) await sleep(delayMs);
      res.writeHead(status, { 'Content-Type': 'text/xml; charset=UTF-8' });
      res.end(xml);
    };

    // Decode first, so the call log and the overlap record see the keys even
    // when a failure is injected.
    let request: UpdateRequest | undefined;
    let decodeFault: string | undefined;
    try {
      const envelope = parseXml(body);
      const header = child(envelope, NS.soapEnv, 'Header');
      logicalAddress = child(header, NS.registry, 'LogicalAddress')?.text.trim();
      const update = child(child(envelope, NS.soapEnv, 'Body'), Update.responderNs, 'Update');
      if (!update) throw new DecodeError('Body', 'holds no Update');
      request = decodeComplex(Update.request, update, 'Update');
      transactions = request.engagementTransaction.map((t) => ({
        deleteFlag: t.deleteFlag,
        engagement: t.engagement,
        key: keyOf(t.engagement, hsaId),
      }));
    } catch (err) {
      if (!(err instanceof DecodeError || err instanceof XmlParseError)) throw err;
      decodeFault =
        err instanceof DecodeError && /(mostRecentContent|creationTime|updateTime)$/.test(err.path)
          ? `EI004: ${err.message}`
          : `EI001: the payload does not follow the contract: ${err.message}`;
    }

    for (const t of transactions) {
      const count = inProgress.get(t.key) ?? 0;
      if (count > 0) overlappingKeys.push(t.key);
      inProgress.set(t.key, count + 1);
      keys.push(t.key);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const count = (inProgress.get(key) ?? 1) - 1;
        if (count > 0) inProgress.set(key, count);
        else inProgress.delete(key);
      }
    };
    // A call is in progress until it is answered or the caller gives up on it.
    res.on('close', release);

    const failure = failures.shift();
    if (failure) {
      call(`injected ${failure}`);
      switch (failure) {
        case 'hang':
          return;
        case 'connection-reset':
          req.socket.resetAndDestroy();
          return;
        case 'http500-EI000':
          return send(500, faultEnvelope('EI000: a technical error has occurred (injected)'));
        case 'EI002':
          return send(
            500,
            faultEnvelope('EI002: engagementTransaction #1 and #2 have the same key (injected)'),
          );
      }
    }

    if (correlationId === undefined) {
      const text = 'Mandatory HTTP header x-skltp-correlation-id is missing';
      call(text);
      return send(500, faultEnvelope(text));
    }
    if (decodeFault || !request) {
      const text = decodeFault ?? 'EI001: no request';
      call(text);
      return send(500, faultEnvelope(text));
    }
    try {
      validate(logicalAddress, request);
    } catch (err) {
      if (!(err instanceof EiFault)) throw err;
      call(err.message);
      return send(500, faultEnvelope(err.message));
    }
    call('OK');
    if (collectWindowMs > 0 && transactions.length === 1) collect(transactions[0]!);
    else transactions.forEach(apply);
    return send(200, okEnvelope());
  };

  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/xml; charset=UTF-8' });
        res.end(faultEnvelope(`EI000: ${(err as Error).message}`));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${Update.path}`,
    hsaId,
    calls,
    overlappingKeys,
    engagements: () => [...held.values()],
    findContent: (rri, serviceDomain) =>
      [...held.values()].filter(
        (e) =>
          e.registeredResidentIdentification === rri &&
          (serviceDomain === undefined || e.serviceDomain === serviceDomain),
      ),
    failNext: (n, kind) => {
      for (let i = 0; i < n; i++) failures.push(kind);
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: async () => {
      for (const { timer } of collecting.values()) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One call as an operator may read it: outcome and what it did, never the person id. */
export function describeCall(c: ReceivedCall): string {
  const summary = c.transactions
    .map((t) => `${t.deleteFlag ? 'delete' : 'upsert'} ${t.engagement.categorization}`)
    .join(', ');
  return `${c.outcome}: ${summary}`;
}

/** Calls `onCall` for every call the simulator receives from now on (polled every 200 ms). */
export function followCalls(simulator: EiSimulator, onCall: (c: ReceivedCall) => void) {
  let seen = simulator.calls.length;
  const flush = () => {
    while (seen < simulator.calls.length) onCall(simulator.calls[seen++]!);
  };
  const timer = setInterval(flush, 200);
  timer.unref();
  return { timer, flush };
}

/**
 * `tidbok ei-sim`: runs the simulator until SIGINT/SIGTERM (or `signal`),
 * printing each call on one line: outcome and what it did, never the person
 * id. Resolves when it has stopped.
 */
export async function runEiSimulatorCommand(
  options: EiSimulatorOptions & { readonly signal?: AbortSignal } = {},
  out: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  const simulator = await startEiSimulator(options);
  out(`EI simulator (hsaId ${simulator.hsaId}) listening at ${simulator.url}`);
  const { timer, flush: print } = followCalls(simulator, (c) =>
    out(`${new Date(c.atUtcMs).toISOString()} ${c.correlationId ?? '-'} ${describeCall(c)}`),
  );
  await untilStopped(options.signal);
  clearInterval(timer);
  print();
  await simulator.close();
}
