import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { buildUpdateEnvelope } from '../channels/engagement-index/engagement-index-channel.ts';
import type { EiSimulator } from './ei-simulator.ts';
import { runEiSimulatorCommand, startEiSimulator } from './ei-simulator.ts';
import type {
  Engagement,
  EngagementTransaction,
} from '../channels/engagement-index/engagement-mapping.ts';

function engagement(overrides: Partial<Engagement> = {}): Engagement {
  return {
    registeredResidentIdentification: '191212121212',
    serviceDomain: 'riv:crm:scheduling',
    categorization: 'Booking',
    logicalAddress: 'SE2321000016-1hz5',
    businessObjectInstanceIdentifier: 'B1',
    clinicalProcessInterestId: 'NA',
    mostRecentContent: '20260619090000',
    sourceSystem: 'SE2321000016-TIDB',
    dataController: 'SE2321000016',
    ...overrides,
  };
}
const upsert = (o: Partial<Engagement> = {}): EngagementTransaction => ({
  deleteFlag: false,
  engagement: engagement(o),
});

function post(
  url: string,
  body: string,
  headers: Record<string, string> = { 'x-skltp-correlation-id': 'c-1' },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const faultOf = (body: string) => /<faultstring>([^<]*)<\/faultstring>/.exec(body)?.[1] ?? '';

describe('EI simulator', () => {
  let sim: EiSimulator;
  before(async () => {
    sim = await startEiSimulator({ reservedIds: ['5565594230', 'SE165565594230-1000'] });
  });
  after(() => sim.close());

  const update = (transactions: EngagementTransaction[], logicalAddress = '5565594230') =>
    post(sim.url, buildUpdateEnvelope(transactions, logicalAddress));

  it('answers a valid Update with ResultCode OK and holds the engagement', async () => {
    const res = await update([upsert({ businessObjectInstanceIdentifier: 'OK1' })]);
    assert.equal(res.status, 200);
    assert.match(res.body, /<ns1:ResultCode>OK<\/ns1:ResultCode>/);
    const held = sim
      .findContent('191212121212', 'riv:crm:scheduling')
      .find((e) => e.businessObjectInstanceIdentifier === 'OK1');
    assert.equal(held?.owner, '5565594230');
    assert.equal(held?.mostRecentContent, '20260619090000');
  });

  it('deletes by key and ignores the delete of an unknown key', async () => {
    await update([upsert({ businessObjectInstanceIdentifier: 'DEL1' })]);
    const keyOnly: Engagement = { ...engagement({ businessObjectInstanceIdentifier: 'DEL1' }) };
    delete (keyOnly as { mostRecentContent?: string }).mostRecentContent;
    assert.equal((await update([{ deleteFlag: true, engagement: keyOnly }])).status, 200);
    assert.equal(
      (
        await update([
          {
            deleteFlag: true,
            engagement: { ...keyOnly, businessObjectInstanceIdentifier: 'NONE' },
          },
        ])
      ).status,
      200,
    );
    assert.equal(
      sim.engagements().some((e) => e.businessObjectInstanceIdentifier === 'DEL1'),
      false,
    );
  });

  it('requires the x-skltp-correlation-id header', async () => {
    const res = await post(sim.url, buildUpdateEnvelope([upsert()], '5565594230'), {});
    assert.equal(res.status, 500);
    assert.match(faultOf(res.body), /x-skltp-correlation-id/);
  });

  /** One-engagement Updates refused for a field: what is wrong, the field, EI's code. */
  const refusedFields: [string, Partial<Engagement>, string][] = [
    ['an empty key field', { sourceSystem: '' }, 'EI004'],
    ['a key field padded with whitespace', { businessObjectInstanceIdentifier: ' B1' }, 'EI004'],
    ['a key field longer than EI stores', { logicalAddress: 'X'.repeat(65) }, 'EI004'],
    ['a date that does not exist', { mostRecentContent: '20260230090000' }, 'EI004'],
    ['a time inside the spring DST gap', { mostRecentContent: '20260329023000' }, 'EI004'],
    ['a reserved id as logicalAddress', { logicalAddress: 'SE165565594230-1000' }, 'EI005'],
    ['a reserved id as sourceSystem', { sourceSystem: '5565594230' }, 'EI006'],
  ];
  const refusals = [
    {
      name: 'a LogicalAddress other than its own HSA-id',
      code: 'EI003',
      call: () => update([upsert()], 'SE2321000016-1hz5'),
    },
    {
      name: 'more than 1000 engagements',
      code: 'EI000',
      call: () =>
        update(
          Array.from({ length: 1001 }, (_, i) =>
            upsert({ businessObjectInstanceIdentifier: `N${i}` }),
          ),
        ),
    },
    {
      name: 'two transactions with the same key, even a delete and a create',
      code: 'EI002',
      call: () => update([upsert(), { deleteFlag: true, engagement: engagement() }]),
    },
    ...refusedFields.map(([name, fields, code]) => ({
      name,
      code,
      call: () => update([upsert(fields)]),
    })),
  ];
  for (const r of refusals) {
    it(`refuses ${r.name} (${r.code}) with an HTTP 500 soap:Server fault`, async () => {
      const res = await r.call();
      assert.equal(res.status, 500);
      assert.match(res.body, /<faultcode>soap:Server<\/faultcode>/);
      assert.match(faultOf(res.body), new RegExp(`^${r.code}: `));
    });
  }

  it('keeps nothing from a refused call', async () => {
    await update([
      upsert({ businessObjectInstanceIdentifier: 'GOOD' }),
      upsert({ businessObjectInstanceIdentifier: 'BAD', sourceSystem: '' }),
    ]);
    assert.equal(
      sim.engagements().some((e) => e.businessObjectInstanceIdentifier === 'GOOD'),
      false,
    );
  });

  it('logs every call with its correlation id, SOAPAction and transactions', async () => {
    const before = sim.calls.length;
    await post(
      sim.url,
      buildUpdateEnvelope([upsert({ businessObjectInstanceIdentifier: 'L1' })], '5565594230'),
      {
        'x-skltp-correlation-id': 'corr-42',
        SOAPAction: '"urn:riv:itintegration:engagementindex:UpdateResponder:1:Update"',
      },
    );
    const call = sim.calls[before]!;
    assert.equal(call.correlationId, 'corr-42');
    assert.equal(
      call.soapAction,
      '"urn:riv:itintegration:engagementindex:UpdateResponder:1:Update"',
    );
    assert.equal(call.logicalAddress, '5565594230');
    assert.equal(call.outcome, 'OK');
    assert.equal(call.transactions[0]?.engagement.businessObjectInstanceIdentifier, 'L1');
    assert.match(call.transactions[0]!.key, /^[0-9a-f]{64}$/);
  });

  it('answers injected failures instead of processing the next calls', async () => {
    sim.failNext(1, 'http500-EI000');
    sim.failNext(1, 'EI002');
    const first = await update([upsert({ businessObjectInstanceIdentifier: 'F1' })]);
    const second = await update([upsert({ businessObjectInstanceIdentifier: 'F1' })]);
    const third = await update([upsert({ businessObjectInstanceIdentifier: 'F1' })]);
    assert.match(faultOf(first.body), /^EI000: /);
    assert.match(faultOf(second.body), /^EI002: /);
    assert.equal(third.status, 200);
  });

  it('resets the connection when told to', async () => {
    sim.failNext(1, 'connection-reset');
    await assert.rejects(update([upsert()]), /ECONNRESET|socket hang up/);
  });
});

describe('EI simulator collect window', () => {
  let sim: EiSimulator;
  beforeEach(async () => {
    sim = await startEiSimulator({ collectWindowMs: 400 });
  });
  afterEach(() => sim.close());

  const single = (t: EngagementTransaction) =>
    post(sim.url, buildUpdateEnvelope([t], '5565594230'));
  const settled = () => new Promise((resolve) => setTimeout(resolve, 800));

  // Each step sends one transaction of the same engagement, or waits for the window to close.
  const steps = {
    create: () => single(upsert()),
    delete: () => single({ deleteFlag: true, engagement: engagement() }),
    wait: settled,
  };
  const sequences: [string, (keyof typeof steps)[], number][] = [
    [
      'lets a delete beat a later create of the same key inside the window, as EI does',
      ['create', 'wait', 'delete', 'create', 'wait'],
      0,
    ],
    [
      'applies a create that comes after the window has closed',
      ['delete', 'wait', 'create', 'wait'],
      1,
    ],
  ];
  for (const [name, sequence, held] of sequences)
    it(name, async () => {
      for (const step of sequence) await steps[step]();
      assert.equal(sim.engagements().length, held);
    });

  it('keeps the larger mostRecentContent of two upserts inside the window, not the later', async () => {
    await single(upsert({ mostRecentContent: '20260620090000' }));
    await single(upsert({ mostRecentContent: '20260619090000' }));
    await settled();
    assert.equal(sim.engagements()[0]?.mostRecentContent, '20260620090000');
  });
});

describe('runEiSimulatorCommand', () => {
  it('prints where it listens and one line per call without the person id, until stopped', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const running = runEiSimulatorCommand({ signal: stop.signal }, (line) => lines.push(line));
    await waitUntil(() => lines.length > 0);
    const url = /listening at (\S+)/.exec(lines[0]!)?.[1];
    assert.ok(url);
    await post(url, buildUpdateEnvelope([upsert()], '5565594230'));
    stop.abort();
    await running;
    assert.match(lines[1] ?? '', / c-1 OK: upsert Booking$/);
    assert.doesNotMatch(lines.join('\n'), /191212121212/);
  });
});

async function waitUntil(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
