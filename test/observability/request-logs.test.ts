import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetAllTimeTypes, MakeBooking } from '../../src/contracts/scheduling.ts';
import { assertFault, postSoap, requestEnvelope, wrapRequest } from '../support/soap-client.ts';
import { FACILITY, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';
import { startEiTestApp, startTestApp, type TestApp } from '../support/test-app.ts';
import { captureLogs, type CapturedLogs } from '../support/log-capture.ts';

/** A person id in clear: what scripts/run-tests.mjs also looks for in every suite log. */
const CLEAR_ID = /(?<![0-9])[0-9]{8}-?[0-9pPtTfF][0-9]{3}(?![0-9])/;

function assertNoClearIds(logs: CapturedLogs) {
  assert.ok(logs.lines.length > 0, 'something was logged');
  for (const line of logs.lines) assert.doesNotMatch(line, CLEAR_ID, line);
}

function makeBooking(t: TestApp, slotIndex: number, subject = PATIENT, logicalAddress = FACILITY) {
  const s = t.calendar.doctorSlots[slotIndex]!;
  return requestEnvelope(
    MakeBooking,
    {
      healthcare_facility_med: FACILITY,
      requestedTimeslot: {
        startTimeInclusive: s.start.ts,
        endTimeExclusive: s.end.ts,
        healthcare_facility: FACILITY,
        bookingId: s.id,
        subject_of_care: subject,
      },
      subject_of_care_info: PATIENT_INFO,
    },
    { logicalAddress },
  );
}

describe('the per-request log line', () => {
  let t: TestApp;
  let logs: CapturedLogs;
  before(async () => {
    logs = captureLogs();
    t = await startTestApp({ logger: logs.logger });
  });
  after(() => t.close());

  const requestLines = () => logs.entries().filter((e) => e['msg'] === 'soap request');

  it('names the correlation id sent, the operation, the logical address, the consumer, the duration and the resultCode', async () => {
    const answer = await postSoap(t.url + MakeBooking.path, makeBooking(t, 0), {
      'x-skltp-correlation-id': 'corr-0001',
      'x-rivta-original-serviceconsumer-hsaid': 'SE2321000016-MVK1',
    });
    assert.equal(answer.status, 200);
    const line = requestLines().find((e) => e['correlationId'] === 'corr-0001');
    assert.ok(line, 'a line with the correlation id sent');
    assert.equal(line['operation'], 'MakeBooking');
    assert.equal(line['logicalAddress'], FACILITY);
    assert.equal(line['originalConsumerHsaId'], 'SE2321000016-MVK1');
    assert.equal(line['resultCode'], 'OK');
    assert.equal(line['status'], 200);
    assert.equal(typeof line['durationMs'], 'number');
    assert.equal(line['level'], 30);
  });

  it('generates a correlation id when none is sent, and names the fault instead of a resultCode', async () => {
    const before = requestLines().length;
    const answer = await postSoap(
      t.url + GetAllTimeTypes.path,
      wrapRequest(`<x:GetAllTimeTypes xmlns:x="${GetAllTimeTypes.responderNs}"/>`),
    );
    assertFault(answer, 'Client', /LogicalAddress/);
    const line = requestLines()[before];
    assert.ok(line);
    assert.match(String(line['correlationId']), /^[0-9a-f-]{36}$/);
    assert.match(String(line['fault']), /^Client: .*LogicalAddress/);
    assert.equal(line['resultCode'], undefined);
    assert.equal(line['status'], 500);
  });
});

describe('a person id never reaches a log line or a faultstring in clear', () => {
  it('masks ids sent in the body, the LogicalAddress and the headers', async () => {
    const logs = captureLogs();
    const t = await startTestApp({ logger: logs.logger });
    try {
      const url = t.url + MakeBooking.path;
      // Not a real date of birth: refused, and the fault does not echo it.
      const invalid = await postSoap(url, makeBooking(t, 1, '191213321212'));
      assertFault(invalid, 'Client', /subject_of_care/);
      assert.doesNotMatch(invalid.text, CLEAR_ID);

      const asAddress = await postSoap(url, makeBooking(t, 1, PATIENT, PATIENT));
      assertFault(asAddress, 'Client', /LogicalAddress '19121212-\*\*\*\*'/);
      assert.doesNotMatch(asAddress.text, CLEAR_ID);

      const inHeaders = await postSoap(url, makeBooking(t, 1), {
        'x-skltp-correlation-id': `c-${PATIENT}`,
        'x-rivta-original-serviceconsumer-hsaid': `SE${PATIENT}`,
      });
      assert.equal(inHeaders.status, 200);

      const lines = logs.entries().filter((e) => e['msg'] === 'soap request');
      assert.ok(lines.some((e) => e['logicalAddress'] === '19121212-****'));
      assert.ok(lines.some((e) => e['correlationId'] === 'c-19121212-****'));
      assert.ok(lines.some((e) => e['originalConsumerHsaId'] === 'SE19121212-****'));
      assertNoClearIds(logs);
    } finally {
      await t.close();
    }
  });

  it('masks the key and reason when EI refuses or fails a delivery', async () => {
    const logs = captureLogs();
    const t = await startEiTestApp({ logger: logs.logger });
    try {
      const waitFor = async (msg: string) => {
        const deadline = Date.now() + 10_000;
        while (!logs.entries().some((e) => e['msg'] === msg)) {
          if (Date.now() > deadline) throw new Error(`no '${msg}' line was logged`);
          await new Promise((r) => setTimeout(r, 20));
        }
        return logs.entries().find((e) => e['msg'] === msg)!;
      };
      t.ei.failNext(1, 'http500-EI000');
      assert.equal((await postSoap(t.url + MakeBooking.path, makeBooking(t, 2))).status, 200);
      const retry = await waitFor('outbox delivery failed; will retry');
      assert.equal(typeof retry['reason'], 'string');
      await t.drained();

      t.ei.failNext(1, 'EI002');
      assert.equal((await postSoap(t.url + MakeBooking.path, makeBooking(t, 3))).status, 200);
      const dead = await waitFor('outbox message refused permanently; moved to dead letters');
      // EI messages are ordered by booking id: the key names the booking, never the patient.
      assert.ok(String(dead['key']).length > 0);
      assert.doesNotMatch(String(dead['key']), /19121212/, 'no part of the person id in the key');
      assertNoClearIds(logs);
    } finally {
      await t.close();
    }
  });
});
