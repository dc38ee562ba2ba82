import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MakeBooking } from '../../src/contracts/scheduling.ts';
import { callSoap } from '../support/soap-client.ts';
import { FACILITY, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';
import { startEiTestApp, type EiTestApp } from '../support/test-app.ts';

describe('a booking made over SOAP reaches the engagement index', () => {
  let t: EiTestApp;
  before(async () => {
    t = await startEiTestApp();
  });
  after(() => t.close());

  it('sends one Booking upsert with the facility, person id and start time', async () => {
    const slot = t.calendar.doctorSlots[0]!;
    const made = await callSoap(
      t.url,
      MakeBooking,
      {
        healthcare_facility_med: FACILITY,
        requestedTimeslot: {
          startTimeInclusive: slot.start.ts,
          endTimeExclusive: slot.end.ts,
          healthcare_facility: FACILITY,
          bookingId: slot.id,
          subject_of_care: PATIENT,
        },
        subject_of_care_info: PATIENT_INFO,
      },
      { logicalAddress: FACILITY },
    );
    assert.equal(made.response!.resultCode, 'OK');
    await t.drained();
    const held = t.ei.findContent(PATIENT, 'riv:crm:scheduling');
    assert.equal(held.length, 1);
    assert.equal(held[0]!.categorization, 'Booking');
    assert.equal(held[0]!.logicalAddress, FACILITY);
    assert.equal(held[0]!.businessObjectInstanceIdentifier, made.response!.bookingId);
    assert.equal(held[0]!.mostRecentContent, slot.start.ts);
  });
});
