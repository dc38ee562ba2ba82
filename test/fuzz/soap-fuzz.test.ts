/**
 * 10,000+ generated and mutated SOAP requests against the running server:
 * every answer must be a schema-valid response or an HTTP 500 SOAP fault,
 * nothing may hang, and the store's invariants must hold afterwards.
 * `FUZZ_SEED` replays a run; `FUZZ_RUNS` changes its size.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { schedulingInteractions } from '../../src/contracts/scheduling.ts';
import { PingForConfiguration } from '../../src/contracts/monitoring.ts';
import { NS } from '../../src/contracts/namespaces.ts';
import { escapeText } from '../../src/xml/escape.ts';
import { parseXml, type XmlElement } from '../../src/xml/parse.ts';
import type { SqliteCalendarStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { nationalContractsDir, nationalErrors } from '../support/national-schemas.ts';
import { startEiTestApp, type EiTestApp } from '../support/test-app.ts';
import { FACILITY, PARTNER } from '../support/test-calendar.ts';
import { makeBookingRequest, patient } from '../support/demo-traffic.ts';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const CONCURRENCY = 8;
const TIMEOUT_MS = 15_000;

const interactions = [...schedulingInteractions, PingForConfiguration];
const pathOf = new Map<string, string>(interactions.map((i) => [i.name, i.path]));
const paths = interactions.map((i) => i.path);

interface FuzzRequest {
  readonly path: string;
  readonly body: string | Buffer;
  readonly contentType: string;
  readonly soapAction?: string;
}

/** Serialises a parsed tree again, with made-up prefixes: mutations work on trees. */
function serialize(root: XmlElement): string {
  const prefixes = new Map<string, string>();
  const collect = (e: XmlElement) => {
    if (e.ns && !prefixes.has(e.ns)) prefixes.set(e.ns, `p${prefixes.size}`);
    e.children.forEach(collect);
  };
  collect(root);
  const name = (e: XmlElement) => (e.ns ? `${prefixes.get(e.ns)}:${e.local}` : e.local);
  const write = (e: XmlElement, isRoot: boolean): string => {
    const decls = isRoot
      ? [...prefixes]
          .map(([ns, p]) => ` xmlns:${p}="${escapeText(ns).replace(/"/g, '&quot;')}"`)
          .join('')
      : '';
    return `<${name(e)}${decls}>${escapeText(e.text)}${e.children.map((c) => write(c, false)).join('')}</${name(e)}>`;
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${write(root, true)}`;
}

function clone(e: XmlElement): XmlElement {
  return {
    ns: e.ns,
    local: e.local,
    attributes: e.attributes,
    text: e.text,
    children: e.children.map(clone),
  };
}

function elements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

type Mutation =
  | { op: 'delete' | 'duplicate' | 'swap' | 'empty'; at: number }
  | { op: 'text'; at: number; text: string }
  | { op: 'namespace'; at: number; ns: string }
  | { op: 'rename'; at: number; local: string }
  | { op: 'nest'; at: number; depth: number };

function mutate(base: XmlElement, mutations: readonly Mutation[]): XmlElement {
  const root = clone(base);
  for (const m of mutations) {
    const all = elements(root);
    const target = all[m.at % all.length]!;
    const parent = all.find((e) => e.children.includes(target));
    const index = parent ? parent.children.indexOf(target) : -1;
    switch (m.op) {
      case 'delete':
        if (parent) parent.children.splice(index, 1);
        break;
      case 'duplicate':
        if (parent) parent.children.splice(index, 0, clone(target));
        break;
      case 'swap':
        if (parent && parent.children.length > 1) {
          const other = (index + 1) % parent.children.length;
          [parent.children[index], parent.children[other]] = [parent.children[other]!, target];
        }
        break;
      case 'empty':
        target.text = '';
        target.children.length = 0;
        break;
      case 'text':
        target.text = m.text;
        break;
      case 'namespace':
        (target as { ns: string }).ns = m.ns;
        break;
      case 'rename':
        (target as { local: string }).local = m.local;
        break;
      case 'nest': {
        let inner: XmlElement = {
          ns: 'urn:fuzz',
          local: 'n',
          attributes: new Map(),
          text: 'x',
          children: [],
        };
        for (let i = 1; i < m.depth; i++)
          inner = {
            ns: 'urn:fuzz',
            local: 'n',
            attributes: new Map(),
            text: '',
            children: [inner],
          };
        target.children.push(inner);
        break;
      }
    }
  }
  return root;
}

const knownNamespaces = [
  ...new Set([...interactions.map((i) => i.responderNs), ...Object.values(NS)]),
  'urn:riv:crm:scheduling:MakeBookingResponder:2',
  'http://www.w3.org/2003/05/soap-envelope',
  '',
];

const texts = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '191212121212',
    '19121212-1212',
    '191213321212',
    '19121212121',
    '20270230090000',
    '20270101',
    FACILITY,
    FACILITY.toUpperCase(),
    PARTNER,
    'SE2321000016-none',
    '-1',
    'true',
    '99999999999999999999999',
    ']]>',
    '&',
    '<x>',
    'OK',
    'ERROR',
    'SMS',
    '\u00e5\u00e4\u00f6',
  ),
  fc.integer().map(String),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete', 'duplicate', 'swap', 'empty'), at: fc.nat() }),
  fc.record({ op: fc.constant('text'), at: fc.nat(), text: texts }),
  fc.record({
    op: fc.constant('namespace'),
    at: fc.nat(),
    ns: fc.constantFrom(...knownNamespaces),
  }),
  fc.record({
    op: fc.constant('rename'),
    at: fc.nat(),
    local: fc.constantFrom(
      'bookingId',
      'subject_of_care',
      'Fault',
      'Body',
      'Header',
      'x',
      'MakeBooking',
    ),
  }),
  fc.record({ op: fc.constant('nest'), at: fc.nat(), depth: fc.integer({ min: 2, max: 200 }) }),
) as fc.Arbitrary<Mutation>;

const contentTypes = fc.constantFrom(
  'text/xml; charset=UTF-8',
  'text/xml; charset=UTF-8',
  'text/xml; charset=UTF-8',
  'text/xml',
  'application/soap+xml',
  'text/xml; charset=ISO-8859-1',
  'text/xml; charset=utf-16',
  'text/xml; charset=bogus-8',
  '',
);

const ENTITY_TRICKS = [
  '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
  '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
  '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x">%p;]><a/>',
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><a>&lol2;</a>',
  '<a>&unknown;</a>',
  '<a>&#0;</a>',
  '<a>&#xD800;</a>',
  '<a>&#1114112;</a>',
  '<a>&#x1F600;</a>',
  '<a><![CDATA[<b>]]></a>',
  '<?pi data?><a/>',
  '<?xml version="1.1"?><a/>',
  '\uFEFF<a/>',
  '<a xmlns:p="urn:x"><p:b xmlns:p=""/></a>',
  '<p:a/>',
  '<a b="1" b="2"/>',
  '<a></b>',
  '<a>',
  '<?xml version="1.0" encoding="UTF-7"?><a/>',
  '<?xml version="1.0" encoding="ISO-8859-1"?><a>\u00e5</a>',
];

/** `arb` one time in `n`, null otherwise. */
function rarely<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: n - 1 }, { arbitrary: arb, weight: 1 });
}

describe('SOAP fuzzing', () => {
  let t: EiTestApp;
  let bases: { name: string; tree: XmlElement }[];
  const counts = { requests: 0, faults: 0, valid: 0, timeouts: 0, invalid: 0 };
  const failures: string[] = [];
  let bookingsBefore: Set<string>;

  before(async () => {
    t = await startEiTestApp();
    bases = readdirSync('fixtures/requests')
      .filter((f) => f.endsWith('.xml'))
      .map((f) => ({
        name: f.replace(/\.xml$/, ''),
        tree: parseXml(readFileSync(`fixtures/requests/${f}`, 'utf8')),
      }));
    const slots = [...t.calendar.doctorSlots, ...t.calendar.nurseSlots, ...t.calendar.partnerSlots];
    // Real bookings on the test calendar, many for the same slots: mutations of these reach the store.
    for (const [i, slot] of slots.entries())
      bases.push({
        name: 'MakeBooking',
        tree: parseXml(
          makeBookingRequest(
            {
              startTimeInclusive: slot.start.ts,
              endTimeExclusive: slot.end.ts,
              healthcare_facility: slot.facility,
              bookingId: slot.id,
            } as never,
            patient(i % 7),
          ),
        ),
      });
    bookingsBefore = new Set(await bookingIds());
  });
  after(() => t.close());

  const sqlite = () => t.app.store as SqliteCalendarStore;
  const bookingIds = () =>
    sqlite().withConnection((db) =>
      (db.prepare('SELECT id FROM bookings').all() as { id: string }[]).map((r) => r.id),
    );

  function arbitrary(): fc.Arbitrary<FuzzRequest> {
    const mutated = fc
      .record({
        base: fc.nat(),
        mutations: fc.array(mutation, { minLength: 0, maxLength: 3 }),
        truncateAt: rarely(fc.nat(), 8),
        wrongPath: rarely(fc.constantFrom(...paths), 10),
        contentType: contentTypes,
        soapAction: fc.option(fc.string({ maxLength: 30 })),
      })
      .map(({ base, mutations, truncateAt, wrongPath, contentType, soapAction }): FuzzRequest => {
        const b = bases[base % bases.length]!;
        let body = serialize(mutate(b.tree, mutations));
        if (truncateAt !== null) body = body.slice(0, truncateAt % body.length);
        return {
          path: wrongPath ?? pathOf.get(b.name)!,
          body,
          contentType,
          ...(soapAction !== null ? { soapAction } : {}),
        };
      });
    const raw = fc
      .record({
        path: fc.constantFrom(...paths),
        contentType: contentTypes,
        body: fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
          fc.constantFrom(...ENTITY_TRICKS),
          fc.integer({ min: 10, max: 5_000 }).map((d) => '<a>'.repeat(d) + '</a>'.repeat(d)),
          fc.integer({ min: 10, max: 40_000 }).map((n) => `<a>${'<b/>'.repeat(n)}</a>`),
          fc.constantFrom(...ENTITY_TRICKS).map((x) => Buffer.from(x, 'utf16le')),
          fc
            .string({ maxLength: 100 })
            .map((s) => `<s:Envelope xmlns:s="${NS.soapEnv}"><s:Body>${s}</s:Body></s:Envelope>`),
        ),
      })
      .map((r): FuzzRequest => r);
    return fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: raw, weight: 2 });
  }

  function send(agent: Agent, req: FuzzRequest): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
      const r = request(
        t.url + req.path,
        {
          method: 'POST',
          agent,
          headers: {
            ...(req.contentType ? { 'Content-Type': req.contentType } : {}),
            ...(req.soapAction !== undefined ? { SOAPAction: JSON.stringify(req.soapAction) } : {}),
            'Content-Length': body.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      r.setTimeout(TIMEOUT_MS, () => r.destroy(new Error('timeout')));
      r.on('error', reject);
      r.end(body);
    });
  }

  function check(req: FuzzRequest, answer: { status: number; text: string }) {
    const problem = (why: string) => {
      counts.invalid += 1;
      if (failures.length < 5)
        failures.push(
          `${why}\n  request to ${req.path}: ${String(req.body).slice(0, 300)}\n  answer: ${answer.text.slice(0, 300)}`,
        );
    };
    if (answer.status !== 200 && answer.status !== 500) return problem(`HTTP ${answer.status}`);
    let body: XmlElement | undefined;
    try {
      body = parseXml(answer.text).children.find((c) => c.local === 'Body')?.children[0];
    } catch {
      return problem('the answer is not XML');
    }
    const isFault = body?.local === 'Fault' && body.ns === NS.soapEnv;
    if (answer.status === 500 && !isFault) return problem('HTTP 500 without a SOAP fault');
    if (answer.status === 200 && isFault) return problem('a fault with HTTP 200');
    // Faults are checked for their SOAP 1.1 shape above; one in ten also against the schema, for time.
    if (nationalContractsDir && (!isFault || counts.requests % 10 === 0)) {
      const errors = nationalErrors(answer.text);
      if (errors.length > 0) return problem(`not schema-valid: ${errors.slice(0, 3).join('; ')}`);
    }
    if (isFault) counts.faults += 1;
    else counts.valid += 1;
  }

  // Ten thousand requests, each answer schema-checked, take about a minute on a quiet
  // machine; the runner's 120 s default is too tight when the machine is busy.
  const timeout = 600_000;
  it(
    `answers ${RUNS} generated and mutated requests with valid responses or SOAP faults`,
    { timeout },
    async () => {
      const requests = fc.sample(arbitrary(), { numRuns: RUNS, seed: SEED });
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const req = requests[next++]!;
          counts.requests += 1;
          try {
            check(req, await send(agent, req));
          } catch (err) {
            const message = (err as Error).message;
            if (message === 'timeout') counts.timeouts += 1;
            // An oversized body is refused before it is read; the connection closes under the client.
            else if (Buffer.byteLength(req.body) > 1024 * 1024 - 1) continue;
            if (failures.length < 5)
              failures.push(`${message} for ${req.path}: ${String(req.body).slice(0, 200)}`);
            counts.invalid += 1;
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      agent.destroy();
      console.log(
        `# fuzz (seed ${SEED}): ${counts.requests} requests, ${counts.valid} valid responses, ` +
          `${counts.faults} SOAP faults, ${counts.invalid} wrong answers, ${counts.timeouts} timeouts`,
      );
      assert.deepEqual(failures, [], `replay with FUZZ_SEED=${SEED}`);
      assert.equal(counts.requests, RUNS);
      assert.equal(counts.valid + counts.faults, RUNS);
      assert.ok(counts.valid > 0 && counts.faults > 0, 'both answers and faults were produced');
    },
  );

  it('is still alive and serving afterwards', async () => {
    assert.equal((await fetch(`${t.url}/health/live`)).status, 200);
    assert.equal((await fetch(`${t.url}/health/ready`)).status, 200);
  });

  it('holds the store invariants afterwards: no slot booked twice, every new booking has its EI outbox message', async () => {
    await t.drained(30_000);
    const doubles = await sqlite().withConnection((db) =>
      db
        .prepare(
          "SELECT slot_id, count(*) AS n FROM bookings WHERE status = 'active' AND slot_id IS NOT NULL GROUP BY slot_id HAVING n > 1",
        )
        .all(),
    );
    assert.deepEqual(doubles, []);
    const created = (await bookingIds()).filter((id) => !bookingsBefore.has(id));
    console.log(`# fuzz: ${created.length} bookings made`);
    assert.ok(created.length > 0, 'some fuzzed requests booked');
    const outbox = JSON.stringify(await t.app.store.listOutbox({ limit: 1_000_000 }));
    for (const id of created) assert.ok(outbox.includes(id), `booking ${id} has an outbox message`);
  });
});
