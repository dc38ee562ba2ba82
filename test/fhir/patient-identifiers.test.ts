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
import { BSN_SYSTEM } from '../../src/channels/fhir-portal/patient-identifier.ts';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { PATIENT } from '../support/test-calendar.ts';
import { TEST_BSN } from './fhir-fixtures.ts';
import {
  bookAndReadPatientIdentifier,
  startFhirTestApp,
  type FhirTestApp,
} from './fhir-test-app.ts';
import { runTidbok } from '../support/run-tidbok.ts';

const TOKEN = 'patient-identifier-admin-token-01';

describe('patient identifiers for the FHIR portal', () => {
  let dir: string;
  let db: string;
  let t: FhirTestApp;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-identifiers-'));
    db = join(dir, 'tidbok.db');
    t = await startFhirTestApp({ store: db, adminToken: TOKEN, acceptedSystems: [BSN_SYSTEM] });
  });
  after(async () => {
    await t.close();
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

    assert.deepEqual(await bookAndReadPatientIdentifier(t), TEST_BSN);
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
    const before = (await t.drained()).skipped;
    const id = await soapMakeBooking(t.url, t.calendar.doctorSlots[1]!);
    const after = await t.drained();
    assert.equal(after.skipped, before + 1);
    assert.equal(
      t.sim.received.some((r) => r.path === `/Appointment/${id}`),
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
