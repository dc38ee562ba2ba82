/**
 * Issue 14: a calendar file records a patient's BSN (its `patients`
 * section), `tidbok import` writes it with the rest of the file, and the
 * FHIR portal that takes only BSN then gets that patient's invitation from
 * the same file and a later booking with it. A re-import changes nothing; a
 * bad identifier is refused with its path and nothing of the file is
 * written. No output shows the personnummer or the BSN.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSN_SYSTEM } from '../../src/domain/patient-identifier.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { OTHER_PATIENT } from '../support/test-calendar.ts';
import { TEST_BSN } from './fhir-fixtures.ts';
import { assertValidFhir } from './fhir-r4-schema.ts';
import {
  bookAndReadPatientIdentifier,
  startFhirTestApp,
  type FhirTestApp,
} from './fhir-test-app.ts';

const UNIT = 'SE2321000016-IMP1';
const REFUSED_UNIT = 'SE2321000016-IMP2';

/** A calendar file with one unit, an open invitation for OTHER_PATIENT, and their BSN. */
function calendarFile(unit: string, bsn: string) {
  return {
    version: 1,
    facilities: [
      {
        hsaId: unit,
        name: 'Vaccinationsmottagningen',
        webBookingEnabled: true,
        careTypes: [{ id: 'vacc', name: 'Vaccination' }],
        timeTypes: [
          {
            id: 'vacc',
            name: 'Vaccination',
            careTypeIds: ['vacc'],
            cancelAllowed: true,
            rebookAllowed: true,
            messageAllowed: false,
          },
        ],
        invitations: [
          {
            id: `${unit}-inv`,
            subjectOfCare: OTHER_PATIENT,
            firstName: 'Lena',
            lastName: 'Handén',
            timeTypeId: 'vacc',
            purpose: 'Du är kallad till vaccination.',
            expiresOn: '20991231',
          },
        ],
      },
    ],
    patients: [{ subjectOfCare: OTHER_PATIENT, identifiers: [{ system: BSN_SYSTEM, value: bsn }] }],
  };
}

describe('patient identifiers through the calendar import', () => {
  let dir: string;
  let t: FhirTestApp;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-import-identifiers-'));
    t = await startFhirTestApp({ store: join(dir, 'tidbok.db'), acceptedSystems: [BSN_SYSTEM] });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `tidbok import <file>` with the server's own settings, the portal's included. */
  async function tidbokImport(file: object) {
    const path = join(dir, 'calendar.json');
    writeFileSync(path, JSON.stringify(file));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['import', path], commands, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { TIDBOK_DB: join(dir, 'tidbok.db'), ...t.portalEnv },
    });
    const shown = [...out, ...err].join('\n');
    assert.doesNotMatch(shown, new RegExp(`${OTHER_PATIENT}|${OTHER_PATIENT.slice(2)}`));
    assert.doesNotMatch(shown, /123456782|123456789/);
    return { code, out, err };
  }

  /** The report's line for patient identifiers of an import that succeeded. */
  function identifierCounts(run: { code: number; out: string[]; err: string[] }) {
    assert.equal(run.code, 0, run.err.join('\n'));
    const line = run.out.find((l) => l.trimStart().startsWith('patient identifiers'));
    return line?.replace('patient identifiers', '').trim();
  }

  it("records the BSN, and the portal gets the file's invitation and a later booking with it", async () => {
    const imported = await tidbokImport(calendarFile(UNIT, TEST_BSN.value));
    assert.equal(identifierCounts(imported), '1 created, 0 changed, 0 unchanged');
    assert.deepEqual(await t.app.store.listPatientIdentifiers(OTHER_PATIENT), [TEST_BSN]);

    await t.drained();
    const [invitation] = t.sim.accepted().filter((r) => r.path === '/Communication');
    assert.ok(invitation, 'the invitation in the file reached the portal');
    assertValidFhir(invitation.body);
    const message = invitation.resource as { contained: { identifier: unknown }[] };
    assert.deepEqual(message.contained[0]!.identifier, [TEST_BSN]);

    assert.deepEqual(await bookAndReadPatientIdentifier(t, OTHER_PATIENT), TEST_BSN);
  });

  it('reports the same file imported again as unchanged', async () => {
    const again = await tidbokImport(calendarFile(UNIT, TEST_BSN.value));
    assert.equal(identifierCounts(again), '0 created, 0 changed, 1 unchanged');
    assert.ok(again.out.includes('No changes: the store already held this calendar.'));
  });

  it('refuses a BSN that fails the elfproef by its path, and writes nothing of the file', async () => {
    const refused = await tidbokImport(calendarFile(REFUSED_UNIT, '123456789'));
    assert.equal(refused.code, 1);
    assert.match(
      refused.err.join('\n'),
      /patients\[0\]\.identifiers\[0\]\.value: a BSN must be nine digits that pass the elfproef/,
    );
    assert.equal(await t.app.store.getFacility(REFUSED_UNIT), undefined);
    assert.deepEqual(await t.app.store.listPatientIdentifiers(OTHER_PATIENT), [TEST_BSN]);
  });
});
