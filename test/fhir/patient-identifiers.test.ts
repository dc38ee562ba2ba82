/**
 * Staff record a patient's BSN (CLI and admin API) and the FHIR portal that
 * takes only BSN then gets the patient's appointments with it; without one
 * they are skipped. Nothing shown to staff holds the personnummer or the
 * BSN in clear.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableChannel } from '../../src/channels/channel-module.ts';
import { fhirPortal } from '../../src/channels/fhir-portal/index.ts';
import { BSN_SYSTEM } from '../../src/channels/fhir-portal/patient-identifier.ts';
import { startFhirSimulator } from '../../src/dev/fhir-simulator.ts';
import type { FhirSimulator } from '../../src/dev/fhir-simulator.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { PATIENT } from '../support/test-calendar.ts';
import { TEST_BSN } from './fhir-fixtures.ts';
import { assertValidFhir } from './fhir-r4-schema.ts';
import { runTidbok } from '../support/run-tidbok.ts';

const TOKEN = 'patient-identifier-admin-token-01';

describe('patient identifiers for the FHIR portal', () => {
  let dir: string;
  let db: string;
  let sim: FhirSimulator;
  let t: TestApp;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-identifiers-'));
    db = join(dir, 'tidbok.db');
    sim = await startFhirSimulator({ acceptedSystems: [BSN_SYSTEM] });
    t = await startTestApp({
      store: db,
      adminToken: TOKEN,
      channels: [
        enableChannel(fhirPortal, {
          facilities: undefined,
          acceptedSystems: [BSN_SYSTEM],
          connection: {
            baseUrl: sim.baseUrl,
            tokenUrl: sim.tokenUrl,
            clientId: sim.clientId,
            clientSecret: sim.clientSecret,
            organization: sim.organization,
            organizationHeader: sim.organizationHeader,
            timeoutMs: 5_000,
            batchSize: 8,
          },
        }),
      ],
      dispatch: {
        pollIntervalMs: 50,
        retrySchedule: new RetrySchedule({ baseMs: 20, capMs: 200 }),
      },
    });
    t.app.startDispatcher();
  });
  after(async () => {
    await t.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tidbok = (...args: string[]) => runTidbok({ TIDBOK_DB: db }, ...args);

  async function admin(path: string, body: unknown) {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }

  async function drained() {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = await t.app.outbox.status('fhir-portal');
      if (status.pending === 0 && status.inFlight === 0) return status;
      if (Date.now() > deadline) throw new Error('the fhir-portal outbox did not drain');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('tidbok patient identifier set records a BSN, and the portal gets the booking with it', async () => {
    const set = await tidbok(
      'patient',
      'identifier',
      'set',
      '--patient',
      PATIENT,
      '--system',
      BSN_SYSTEM,
      '--value',
      TEST_BSN.value,
    );
    assert.equal(set.code, 0, set.err.join('\n'));
    assert.deepEqual(set.out, ['19121212-****: 1 identifier', `  ${BSN_SYSTEM}|****`]);
    const listed = await tidbok('patient', 'identifier', 'list', '--patient', PATIENT, '--json');
    assert.deepEqual(JSON.parse(listed.out[0]!), {
      subjectOfCare: '19121212-****',
      identifiers: [`${BSN_SYSTEM}|****`],
    });

    const id = await soapMakeBooking(t.url, t.calendar.doctorSlots[0]!);
    await drained();
    const put = sim.accepted().find((r) => r.path === `/Appointment/${id}`)!;
    assertValidFhir(put.body);
    const sent = put.resource as { participant: { actor: { identifier?: unknown } }[] };
    assert.deepEqual(sent.participant[0]!.actor.identifier, TEST_BSN);
  });

  it('refuses a BSN that fails the elfproef, without echoing it or the personnummer', async () => {
    const refused = await admin('/admin/patient-identifiers', {
      subjectOfCare: PATIENT,
      system: BSN_SYSTEM,
      value: '123456789',
    });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /a BSN must be nine digits that pass the elfproef/);
    assert.doesNotMatch(refused.text, /123456789|191212121212/);
    const cli = await tidbok(
      'patient',
      'identifier',
      'set',
      '--patient',
      PATIENT,
      '--system',
      BSN_SYSTEM,
      '--value',
      '123456789',
    );
    assert.equal(cli.code, 1);
    assert.match(cli.err.join('\n'), /elfproef/);
  });

  it('after the admin API removes the BSN, the next booking is skipped with its reason', async () => {
    const removed = await admin('/admin/patient-identifiers/remove', {
      subjectOfCare: PATIENT,
      system: BSN_SYSTEM,
    });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(JSON.parse(removed.text), { subjectOfCare: '19121212-****', identifiers: [] });
    const before = (await drained()).skipped;
    const id = await soapMakeBooking(t.url, t.calendar.doctorSlots[1]!);
    const after = await drained();
    assert.equal(after.skipped, before + 1);
    assert.equal(
      sim.received.some((r) => r.path === `/Appointment/${id}`),
      false,
    );
    const [message] = (await t.app.store.listOutbox()).filter((m) => m.key === id);
    const settled = await t.app.outbox.findMessage(message!.id);
    assert.equal(settled?.status, 'skipped');
    assert.equal(
      settled?.skipReason,
      `the patient has no identifier the portal accepts (${BSN_SYSTEM})`,
    );
  });
});
