import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertValidAgainstNational,
  skipWithoutNationalContracts,
} from '../../../test/support/national-schemas.ts';
import type { ClaimedMessage } from '../../outbox/outbox-store.ts';
import type { EiSimulator } from '../../dev/ei-simulator.ts';
import { startEiSimulator } from '../../dev/ei-simulator.ts';
import {
  EngagementIndexChannel,
  buildUpdateEnvelope,
  classifyEiAnswer,
} from './engagement-index-channel.ts';
import type { EiConfig, Engagement, EngagementTransaction } from './engagement-mapping.ts';
import { engagementKey } from './engagement-mapping.ts';

function engagement(bookingId: string, overrides: Partial<Engagement> = {}): Engagement {
  return {
    registeredResidentIdentification: '191212121212',
    serviceDomain: 'riv:crm:scheduling',
    categorization: 'Booking',
    logicalAddress: 'SE2321000016-1hz5',
    businessObjectInstanceIdentifier: bookingId,
    clinicalProcessInterestId: 'NA',
    mostRecentContent: '20260619090000',
    sourceSystem: 'SE2321000016-TIDB',
    dataController: 'SE2321000016',
    ...overrides,
  };
}

let nextId = 1;
function claimed(transaction: EngagementTransaction): ClaimedMessage {
  return {
    id: nextId++,
    channel: 'engagement-index',
    key: engagementKey(transaction.engagement),
    payload: transaction,
    attempts: 1,
    createdAtUtcMs: 0,
  };
}
const upsert = (id: string, o: Partial<Engagement> = {}) =>
  claimed({ deleteFlag: false, engagement: engagement(id, o) });

const signal = new AbortController().signal;

describe('EngagementIndexChannel against the EI simulator', () => {
  let sim: EiSimulator;
  let channel: EngagementIndexChannel;
  const config = (url: string): EiConfig => ({
    url,
    logicalAddress: '5565594230',
    sourceSystem: 'SE2321000016-TIDB',
    dataController: 'SE2321000016',
    // Generous, so that a first call on a loaded machine (module loading, XSD
    // compilation in the simulator) is never mistaken for EI not answering; the
    // timeout test below uses a channel of its own with a short one.
    timeoutMs: 10_000,
    batchSize: 1000,
  });

  before(async () => {
    sim = await startEiSimulator();
    channel = new EngagementIndexChannel(config(sim.url));
  });
  after(async () => {
    channel.close();
    await sim.close();
  });
  afterEach(() => sim.setDelay(0));

  // Every request the channel sends is checked against the national XSD.
  let checked = 0;
  async function deliver(messages: ClaimedMessage[], through = channel) {
    const result = await through.deliver(messages, signal);
    if (!skipWithoutNationalContracts)
      for (const call of sim.calls.slice(checked)) assertValidAgainstNational(call.body);
    checked = sim.calls.length;
    return result;
  }

  it('delivers a batch in one Update and EI holds every engagement', async () => {
    const before = sim.calls.length;
    const deletion = engagement('D1');
    delete (deletion as { mostRecentContent?: string }).mostRecentContent;
    const result = await deliver([
      upsert('A1'),
      upsert('A2', { categorization: 'Invitation' }),
      claimed({ deleteFlag: true, engagement: deletion }),
    ]);
    assert.deepEqual(result, { kind: 'delivered' });
    assert.equal(sim.calls.length, before + 1);
    const held = sim.findContent('191212121212').map((e) => e.businessObjectInstanceIdentifier);
    assert.ok(held.includes('A1') && held.includes('A2'));
  });

  it('sends the SOAPAction, a fresh correlation id and the EI owner as LogicalAddress', async () => {
    await deliver([upsert('H1')]);
    await deliver([upsert('H2')]);
    const [a, b] = sim.calls.slice(-2);
    assert.equal(a!.soapAction, '"urn:riv:itintegration:engagementindex:UpdateResponder:1:Update"');
    assert.equal(a!.logicalAddress, '5565594230');
    assert.match(a!.correlationId ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(a!.correlationId, b!.correlationId);
  });

  it(
    'writes a request the national Update schema accepts',
    { skip: skipWithoutNationalContracts },
    () => {
      const deletion = engagement('D1');
      delete (deletion as { mostRecentContent?: string }).mostRecentContent;
      assertValidAgainstNational(
        buildUpdateEnvelope(
          [
            { deleteFlag: false, engagement: engagement('X1') },
            { deleteFlag: true, engagement: deletion },
          ],
          '5565594230',
        ),
      );
    },
  );

  it('asks for a retry when EI answers EI000', async () => {
    sim.failNext(1, 'http500-EI000');
    const result = await deliver([upsert('R1')]);
    assert.equal(result.kind, 'retry');
    assert.match((result as { reason: string }).reason, /EI000/);
  });

  it('gives up for good when EI answers EI002', async () => {
    sim.failNext(1, 'EI002');
    const result = await deliver([upsert('P1')]);
    assert.equal(result.kind, 'permanent');
    assert.match((result as { reason: string }).reason, /EI002/);
  });

  it('gives up for good when EI refuses the data (EI004)', async () => {
    const result = await deliver([upsert('P2', { mostRecentContent: '20260329023000' })]);
    assert.equal(result.kind, 'permanent');
  });

  it('asks for a retry when EI does not answer within the timeout', async () => {
    sim.failNext(1, 'hang');
    const impatient = new EngagementIndexChannel({ ...config(sim.url), timeoutMs: 300 });
    try {
      const result = await deliver([upsert('T1')], impatient);
      assert.equal(result.kind, 'retry');
      assert.match((result as { reason: string }).reason, /no answer within 300 ms/);
    } finally {
      impatient.close();
    }
  });

  it('asks for a retry when the connection is reset', async () => {
    sim.failNext(1, 'connection-reset');
    const result = await deliver([upsert('C1')]);
    assert.equal(result.kind, 'retry');
  });

  it('asks for a retry when nothing listens at the address', async () => {
    const closed = await startEiSimulator();
    const url = closed.url;
    await closed.close();
    const orphan = new EngagementIndexChannel(config(url));
    const result = await orphan.deliver([upsert('N1')], signal);
    orphan.close();
    assert.equal(result.kind, 'retry');
    assert.match((result as { reason: string }).reason, /ECONNREFUSED/);
  });

  it('refuses a batch larger than its batch size', async () => {
    const small = new EngagementIndexChannel({ ...config(sim.url), batchSize: 2 });
    await assert.rejects(deliver([upsert('Z1'), upsert('Z2'), upsert('Z3')], small));
    small.close();
  });

  it('never takes batches above EI’s limit of 1000', () => {
    const big = new EngagementIndexChannel({ ...config(sim.url), batchSize: 5000 });
    assert.equal(big.batchSize, 1000);
    big.close();
  });
});

describe('classifyEiAnswer', () => {
  const fault = (text: string) =>
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>${text}</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
  const response = (code: string, comment = '') =>
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r:UpdateResponse xmlns:r="urn:riv:itintegration:engagementindex:UpdateResponder:1"><r:ResultCode>${code}</r:ResultCode>${comment ? `<r:comment>${comment}</r:comment>` : ''}</r:UpdateResponse></s:Body></s:Envelope>`;

  const table: { name: string; status: number; body: string; kind: string }[] = [
    { name: 'ResultCode OK', status: 200, body: response('OK'), kind: 'delivered' },
    { name: 'VP008 (no answer from EI)', status: 500, body: fault('VP008 timeout'), kind: 'retry' },
    { name: 'VP009 (error from EI)', status: 500, body: fault('VP009 error'), kind: 'retry' },
    { name: 'VP012', status: 500, body: fault('VP012 blah'), kind: 'retry' },
    { name: 'EI000', status: 500, body: fault('EI000: technical'), kind: 'retry' },
    {
      name: 'a 5xx fault with no known code',
      status: 500,
      body: fault('NullPointerException'),
      kind: 'retry',
    },
    { name: 'a 503 without a SOAP body', status: 503, body: 'Service Unavailable', kind: 'retry' },
    { name: 'a 200 that is not an UpdateResponse', status: 200, body: '<html/>', kind: 'retry' },
    ...['EI002', 'EI003', 'EI004', 'EI005', 'EI006'].map((code) => ({
      name: code,
      status: 500,
      body: fault(`${code}: refused`),
      kind: 'permanent',
    })),
    { name: 'VP004 (no route)', status: 500, body: fault('VP004 No receiver'), kind: 'permanent' },
    {
      name: 'VP007 (not authorised)',
      status: 500,
      body: fault('VP007 Authorization missing'),
      kind: 'permanent',
    },
    {
      name: 'ResultCode ERROR',
      status: 200,
      body: response('ERROR', 'EI004: bad'),
      kind: 'permanent',
    },
  ];
  for (const row of table) {
    it(`classifies ${row.name} as ${row.kind}`, () => {
      assert.equal(classifyEiAnswer(row.status, row.body).kind, row.kind);
    });
  }

  it('passes a Retry-After on as the least delay', () => {
    assert.deepEqual(classifyEiAnswer(503, '', 30_000), {
      kind: 'retry',
      reason: 'HTTP 503',
      afterMs: 30_000,
    });
  });

  it('masks person ids in the reason', () => {
    const result = classifyEiAnswer(500, fault('EI004: 191212121212 is bad'));
    assert.equal((result as { reason: string }).reason, 'EI004: 19121212-**** is bad');
  });
});
