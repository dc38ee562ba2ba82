/** `/metrics`: the outbox figures and SOAP counts in Prometheus text, moving with traffic. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetAllTimeTypes, MakeBooking } from '../../src/contracts/scheduling.ts';
import { callSoap, postSoap } from '../support/soap-client.ts';
import { startEiTestApp, type EiTestApp } from '../support/test-app.ts';
import { FACILITY, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';

async function scrape(url: string): Promise<{ type: string; text: string }> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return { type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** The value of one sample, e.g. `tidbok_outbox_pending{channel="engagement-index"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const EI = '{channel="engagement-index"}';

void describe('/metrics', () => {
  let t: EiTestApp;
  before(async () => {
    t = await startEiTestApp();
  });
  after(() => t.close());

  void it('shows the outbox figures per channel and counts SOAP requests by operation and outcome', async () => {
    const first = await scrape(t.url);
    assert.match(first.type, /^text\/plain; version=0\.0\.4/);
    assert.equal(sample(first.text, `tidbok_outbox_pending${EI}`), 0);
    assert.equal(sample(first.text, `tidbok_outbox_in_flight${EI}`), 0);
    assert.equal(sample(first.text, `tidbok_outbox_dead_letters${EI}`), 0);
    assert.equal(sample(first.text, `tidbok_outbox_oldest_pending_age_seconds${EI}`), 0);
    assert.match(first.text, /^# TYPE tidbok_soap_request_duration_seconds histogram$/m);

    // EI hangs, so the booking's Update stays in flight or pending.
    t.ei.failNext(1, 'hang');
    const slot = t.calendar.doctorSlots[0]!;
    const request = {
      healthcare_facility_med: FACILITY,
      requestedTimeslot: {
        startTimeInclusive: slot.start.ts,
        endTimeExclusive: slot.end.ts,
        healthcare_facility: FACILITY,
        bookingId: slot.id,
        subject_of_care: PATIENT,
      },
      subject_of_care_info: PATIENT_INFO,
    };
    const made = await callSoap(t.url, MakeBooking, request, { logicalAddress: FACILITY });
    assert.equal(made.response!.resultCode, 'OK');
    const taken = await callSoap(
      t.url,
      MakeBooking,
      {
        ...request,
        requestedTimeslot: { ...request.requestedTimeslot, subject_of_care: '200112232384' },
      },
      { logicalAddress: FACILITY },
    );
    assert.equal(taken.response!.resultCode, 'ERROR');
    await callSoap(
      t.url,
      GetAllTimeTypes,
      { healthcare_facility: FACILITY, subject_of_care: PATIENT, careTypeIDs: [] },
      { logicalAddress: FACILITY },
    );
    const fault = await postSoap(`${t.url}${GetAllTimeTypes.path}`, '<not-soap/>');
    assert.equal(fault.status, 500);

    const during = await scrape(t.url);
    const waiting =
      (sample(during.text, `tidbok_outbox_pending${EI}`) ?? 0) +
      (sample(during.text, `tidbok_outbox_in_flight${EI}`) ?? 0);
    assert.equal(waiting, 1);
    const ops = (operation: string, outcome: string) =>
      sample(
        during.text,
        `tidbok_soap_requests_total{operation="${operation}",outcome="${outcome}"}`,
      );
    assert.equal(ops('MakeBooking', 'OK'), 1);
    assert.equal(ops('MakeBooking', 'ERROR'), 1);
    assert.equal(ops('GetAllTimeTypes', 'OK'), 1);
    assert.equal(ops('GetAllTimeTypes', 'fault'), 1);
    assert.equal(
      sample(
        during.text,
        'tidbok_soap_request_duration_seconds_count{operation="MakeBooking",outcome="OK"}',
      ),
      1,
    );
    assert.equal(
      sample(
        during.text,
        'tidbok_soap_request_duration_seconds_bucket{le="27",operation="MakeBooking",outcome="OK"}',
      ),
      1,
    );
    assert.doesNotMatch(during.text, new RegExp(PATIENT));

    // After the hang times out, the retry delivers and the figures fall back to zero.
    await t.drained(15_000);
    const afterwards = await scrape(t.url);
    assert.equal(sample(afterwards.text, `tidbok_outbox_pending${EI}`), 0);
    assert.equal(sample(afterwards.text, `tidbok_outbox_in_flight${EI}`), 0);
  });
});
