/**
 * What the EI simulator received, for assertions: every call since a mark,
 * each checked to have been accepted and validated against the national
 * engagement-index XSD, flattened to its transactions in order.
 */
import assert from 'node:assert/strict';
import type { EiSimulator } from '../../src/dev/ei-simulator.ts';
import { assertValidAgainstNational } from './national-schemas.ts';
import { TEST_EI_CONFIG } from './test-app.ts';

/** One transaction as tests compare it; `mostRecentContent` only when sent. */
export interface SentTransaction {
  readonly deleteFlag: boolean;
  readonly engagement: {
    readonly registeredResidentIdentification: string;
    readonly serviceDomain: string;
    readonly categorization: string;
    readonly logicalAddress: string;
    readonly businessObjectInstanceIdentifier: string;
    readonly clinicalProcessInterestId: string;
    readonly mostRecentContent?: string;
    readonly sourceSystem: string;
    readonly dataController: string;
  };
}

/** The transactions of every call after the first `from` calls, each call XSD-validated. */
export function receivedSince(ei: EiSimulator, from: number): SentTransaction[] {
  const out: SentTransaction[] = [];
  for (const call of ei.calls.slice(from)) {
    assert.equal(call.outcome, 'OK', `the simulator refused a call: ${call.outcome}`);
    assertValidAgainstNational(call.body);
    for (const t of call.transactions) {
      const e = t.engagement;
      out.push({
        deleteFlag: t.deleteFlag,
        engagement: {
          registeredResidentIdentification: e.registeredResidentIdentification,
          serviceDomain: e.serviceDomain,
          categorization: e.categorization,
          logicalAddress: e.logicalAddress,
          businessObjectInstanceIdentifier: e.businessObjectInstanceIdentifier,
          clinicalProcessInterestId: e.clinicalProcessInterestId,
          ...(e.mostRecentContent !== undefined ? { mostRecentContent: e.mostRecentContent } : {}),
          sourceSystem: e.sourceSystem,
          dataController: e.dataController,
        },
      });
    }
  }
  return out;
}

/** The transaction the test calendar's EI config makes for one engagement. */
export function expected(
  deleteFlag: boolean,
  fields: {
    person: string;
    categorization: 'Booking' | 'Invitation';
    facility: string;
    id: string;
    mostRecentContent?: string;
  },
): SentTransaction {
  return {
    deleteFlag,
    engagement: {
      registeredResidentIdentification: fields.person,
      serviceDomain: 'riv:crm:scheduling',
      categorization: fields.categorization,
      logicalAddress: fields.facility,
      businessObjectInstanceIdentifier: fields.id,
      clinicalProcessInterestId: 'NA',
      ...(fields.mostRecentContent !== undefined
        ? { mostRecentContent: fields.mostRecentContent }
        : {}),
      sourceSystem: TEST_EI_CONFIG.sourceSystem,
      dataController: TEST_EI_CONFIG.dataController,
    },
  };
}
