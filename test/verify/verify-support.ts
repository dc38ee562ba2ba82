/** Runs `verify` against a test producer, validating every answer of a real tidbok against the national XSDs. */
import assert from 'node:assert/strict';
import { verifyProducer, type VerifyReport } from '../../src/verify/verify-producer.ts';
import { FACILITY, PATIENT } from '../support/test-calendar.ts';
import { assertValidAgainstNational, nationalContractsDir } from '../support/national-schemas.ts';

/**
 * A personnummer in clear: 12 digits (or 10 with - or +). Not inside a
 * hex run, so a UUID bookingId whose groups happen to be all digits does not count.
 */
export const PERSON_ID_IN_CLEAR =
  /(?<![0-9A-Fa-f-])(?:[0-9]{8}-?[0-9pPtTfF][0-9]{3}|[0-9]{6}[-+][0-9]{4})(?![0-9A-Fa-f-])/;

/**
 * `verify --race 3` against `url` (tidbok's test calendar). With
 * `nationalCheck`, every answer is also validated against the national XSDs
 * (only for a producer that is not deliberately broken).
 */
export async function verifyTestProducer(
  url: string,
  options: { nationalCheck?: boolean; readOnly?: boolean } = {},
): Promise<VerifyReport> {
  const report = await verifyProducer({
    client: {
      baseUrl: url,
      ...(options.nationalCheck && nationalContractsDir
        ? { onExchange: (e) => e.responseXml && assertValidAgainstNational(e.responseXml) }
        : {}),
    },
    facility: FACILITY,
    subjectOfCare: PATIENT,
    race: 3,
    readOnly: options.readOnly ?? false,
  });
  assert.doesNotMatch(
    JSON.stringify(report),
    PERSON_ID_IN_CLEAR,
    'no person id in clear in the report',
  );
  return report;
}

/** The ids of the failed checks, sorted, with their reasons for the assertion message. */
export function failedChecks(report: VerifyReport): { ids: string[]; why: string } {
  const failed = report.checks.filter((c) => !c.passed);
  return {
    ids: failed.map((c) => c.id).sort(),
    why: failed.map((c) => `${c.id}: ${c.reason}`).join('\n') || 'none failed',
  };
}
