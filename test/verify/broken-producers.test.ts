import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { FACILITY } from '../support/test-calendar.ts';
import {
  anyLogicalAddress,
  faultsWithHttp200,
  keepsOfferingBookedSlots,
  scheduleWithoutFacility,
  startBrokenProducer,
  timeslotChildrenInResponderNamespace,
  type Breakage,
} from './broken-producer.ts';
import { failedChecks, verifyTestProducer } from './verify-support.ts';

describe('verify against deliberately broken producers (a proxy in front of tidbok)', () => {
  const running: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.close();
  });

  /** Runs verify through the proxy; asserts the exact set of failed checks and that verify cleaned up. */
  async function caughtBy(breakage: Breakage, expected: string[]) {
    const t: TestApp = await startTestApp();
    running.push(t);
    const proxy = await startBrokenProducer(t.url, breakage);
    running.push(proxy);
    const report = await verifyTestProducer(proxy.url);
    const { ids, why } = failedChecks(report);
    assert.deepEqual(ids, [...expected].sort(), why);
    for (const id of expected) {
      const check = report.checks.find((c) => c.id === id)!;
      assert.ok(
        check.reason && check.evidence && check.evidence.length > 0,
        `${id} says why, with evidence`,
      );
    }
    assert.equal((await t.app.store.stats()).activeBookings, 0, 'verify cancelled what it booked');
    return report;
  }

  it('catches timeslotDetail children moved into the responder namespace, by the schema checks of the three operations that answer timeslots', async () => {
    const report = await caughtBy(timeslotChildrenInResponderNamespace, [
      'schema-GetAvailableTimeslots',
      'schema-GetBookingDetails',
      'schema-GetSubjectOfCareSchedule',
    ]);
    const check = report.checks.find((c) => c.id === 'schema-GetAvailableTimeslots')!;
    assert.match(check.reason!, /GetAvailableTimeslotsResponder:1/);
    assert.match(
      check.evidence![0]!.exchange!.schemaErrors.join('\n'),
      /timeslotDetail|startTimeInclusive/,
    );
  });

  it('catches faults answered with HTTP 200', async () => {
    const report = await caughtBy(faultsWithHttp200, ['fault-http-500']);
    assert.match(report.checks.find((c) => c.id === 'fault-http-500')!.reason!, /HTTP 200/);
  });

  it('catches a slot that is still offered after it was booked', async () => {
    await caughtBy(keepsOfferingBookedSlots(), ['booked-slot-not-offered']);
  });

  it('catches a mandatory element left out (healthcare_facility in the schedule)', async () => {
    const report = await caughtBy(scheduleWithoutFacility, [
      'schedule-shows-booking',
      'schema-GetSubjectOfCareSchedule',
    ]);
    assert.match(
      report.checks.find((c) => c.id === 'schedule-shows-booking')!.reason!,
      /lacks healthcare_facility/,
    );
  });

  it('catches a producer that accepts any LogicalAddress, and cancels what that let through', async () => {
    const report = await caughtBy(anyLogicalAddress(FACILITY), [
      'address-mismatch',
      'address-missing',
      'address-unknown',
    ]);
    assert.match(
      report.checks.find((c) => c.id === 'address-unknown')!.reason!,
      /resultCode=OK|booked/,
    );
  });
});
