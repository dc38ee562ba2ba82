/**
 * Booking changes through the domain service, the `fhir-portal` outbox, the
 * dispatcher and the real channel to the portal simulator: what the portal
 * ends up with and every resource it received, each checked against the
 * official FHIR R4 JSON schema as well.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FhirPortalChannel } from '../../src/channels/fhir-portal/fhir-portal-channel.ts';
import { fhirPortalListener } from '../../src/channels/fhir-portal/fhir-portal-listener.ts';
import type { FhirPortalListenerOptions } from '../../src/channels/fhir-portal/fhir-portal-listener.ts';
import {
  BSN_SYSTEM,
  DEFAULT_ACCEPTED_SYSTEMS,
} from '../../src/channels/fhir-portal/patient-identifier.ts';
import { ClientCredentialsToken } from '../../src/channels/http/client-credentials-token.ts';
import { startFhirSimulator } from '../../src/dev/fhir-simulator.ts';
import type { FhirSimulator } from '../../src/dev/fhir-simulator.ts';
import type { Booking } from '../../src/domain/types.ts';
import { OutboxDispatcher } from '../../src/outbox/outbox-dispatcher.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import { createServices } from '../../src/services.ts';
import type { Services } from '../../src/services.ts';
import { FACILITY, seedTestCalendar } from '../support/test-calendar.ts';
import type { SeededCalendar } from '../support/test-calendar.ts';
import { allowed, bookSlot, moveTo } from './fhir-fixtures.ts';
import { assertValidFhir, fhirSchemaErrors } from './fhir-r4-schema.ts';

async function waitFor(what: string, condition: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FHIR portal delivery through the outbox', () => {
  let sim: FhirSimulator;
  let services: Services;
  let calendar: SeededCalendar;
  let dispatcher: OutboxDispatcher;

  async function start(
    listener: FhirPortalListenerOptions = {},
    acceptedSystems: readonly string[] = DEFAULT_ACCEPTED_SYSTEMS,
  ) {
    sim = await startFhirSimulator();
    // Compile the schema now: it blocks the loop for seconds.
    fhirSchemaErrors({ resourceType: 'Appointment' });
    const channel = new FhirPortalChannel(
      {
        baseUrl: sim.baseUrl,
        organization: sim.organization,
        organizationHeader: sim.organizationHeader,
        acceptedSystems,
        timeoutMs: 5_000,
        batchSize: 8,
      },
      {
        tokens: new ClientCredentialsToken({
          tokenUrl: sim.tokenUrl,
          clientId: sim.clientId,
          clientSecret: sim.clientSecret,
        }),
      },
    );
    services = createServices({
      store: 'sqlite::memory:',
      listeners: [fhirPortalListener(listener)],
      onCommitted: () => dispatcher.notify(),
    });
    calendar = await seedTestCalendar(services.store);
    dispatcher = new OutboxDispatcher({
      store: services.outbox,
      channel,
      retrySchedule: new RetrySchedule({ baseMs: 5, capMs: 40 }),
      pollIntervalMs: 20,
    });
  }

  afterEach(async () => {
    await dispatcher.stop();
    await services.close();
    await sim.close();
  });

  const book = (slotIndex: number) => bookSlot(services, calendar.doctorSlots[slotIndex]!);
  const move = (booking: Booking, slotIndex: number) =>
    moveTo(services, booking, calendar.doctorSlots[slotIndex]!);

  const settled = async () => {
    const status = await services.outbox.status('fhir-portal');
    return status.pending === 0 && status.inFlight === 0;
  };

  describe('with the portal up', () => {
    beforeEach(() => start());

    it('ends cancelled at the last time after book, move twice and cancel in quick succession', async () => {
      const booking = await book(0);
      await move(booking, 2);
      await move(booking, 4);
      allowed(
        await services.service.cancel({
          bookingId: booking.id,
          facility: FACILITY,
          origin: 'soap',
        }),
      );
      dispatcher.start();
      await waitFor('all delivered', settled);
      const last = calendar.doctorSlots[4]!;
      const final = sim.appointments().get(booking.id) as {
        status: string;
        start: string;
        end: string;
      };
      assert.equal(final.status, 'cancelled');
      assert.equal(Date.parse(final.start), last.start.utcMs);
      assert.equal(Date.parse(final.end), last.end.utcMs);
      // A PUT repeated after a lost answer (a loaded machine) is the same bytes: count it once.
      const puts = sim
        .accepted()
        .filter((r) => r.path === `/Appointment/${booking.id}`)
        .filter((r, i, all) => i === 0 || r.body !== all[i - 1]!.body);
      assert.deepEqual(
        puts.map((r) => (r.resource as { status: string }).status),
        ['booked', 'booked', 'booked', 'cancelled'],
      );
      for (const r of puts) assertValidFhir(r.body);
      assert.deepEqual(
        sim.notices.map((n) => n.kind),
        ['new', 'modified', 'modified', 'cancelled'],
      );
    });

    it('changes nothing at the portal when a PUT is delivered again', async () => {
      const booking = await book(1);
      dispatcher.start();
      await waitFor('delivered', settled);
      // A retry after a lost answer sends the same bytes with the same headers.
      const first = sim.accepted().find((r) => r.path === `/Appointment/${booking.id}`)!;
      const again = await fetch(`${sim.baseUrl}/Appointment/${booking.id}`, {
        method: 'PUT',
        headers: {
          Authorization: first.headers['authorization']!,
          'Content-Type': 'application/fhir+json',
          [sim.organizationHeader]: first.headers[sim.organizationHeader.toLowerCase()]!,
        },
        body: first.body,
      });
      assert.equal(again.status, 200);
      assert.deepEqual(sim.notices, [{ kind: 'new', id: booking.id }]);
    });

    it('retries while the portal is down and delivers in order once it is back', async () => {
      sim.failNext(3, { status: 503, body: 'maintenance' });
      const booking = await book(0);
      await move(booking, 3);
      dispatcher.start();
      await waitFor('all delivered', settled);
      const statuses = sim.received
        .filter((r) => r.path === `/Appointment/${booking.id}`)
        .map((r) => r.status);
      assert.deepEqual(statuses, [503, 503, 503, 200, 200]);
      const final = sim.appointments().get(booking.id) as { start: string };
      assert.equal(Date.parse(final.start), calendar.doctorSlots[3]!.start.utcMs);
    });

    it('fetches a new token after a 401 and delivers', async () => {
      await book(0);
      dispatcher.start();
      await waitFor('first delivered', settled);
      sim.revokeTokens();
      const second = await book(1);
      await waitFor('second delivered', settled);
      assert.deepEqual(
        sim.received.filter((r) => r.path === `/Appointment/${second.id}`).map((r) => r.status),
        [401, 200],
      );
      assert.equal(sim.tokensIssued, 2);
    });

    it('dead-letters a 400 with the OperationOutcome text, and later messages of that booking wait', async () => {
      sim.failNext(1, {
        status: 400,
        contentType: 'application/fhir+json',
        body: JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [
            { severity: 'error', code: 'invalid', diagnostics: 'unknown patient 191212121212' },
          ],
        }),
      });
      const booking = await book(0);
      dispatcher.start();
      await waitFor(
        'dead',
        async () => (await services.outbox.status('fhir-portal')).dead.length === 1,
      );
      const [dead] = (await services.outbox.status('fhir-portal')).dead;
      assert.equal(dead?.error, 'HTTP 400: error invalid: unknown patient 19121212-****');
      allowed(
        await services.service.cancel({
          bookingId: booking.id,
          facility: FACILITY,
          origin: 'soap',
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(
        sim.appointments().has(booking.id),
        false,
        'the cancellation waits behind the dead booked',
      );
    });
  });

  describe('with a portal that takes only BSN', () => {
    beforeEach(() => start({}, [BSN_SYSTEM]));

    it('skips a patient without a BSN, recording why, and sends nothing', async () => {
      await book(0);
      dispatcher.start();
      await waitFor('settled', settled);
      const status = await services.outbox.status('fhir-portal');
      assert.equal(status.skipped, 1);
      assert.equal(status.dead.length, 0);
      assert.equal(sim.received.filter((r) => r.path !== '/oauth/token').length, 0);
    });
  });

  describe('with a BSN recorded for the patient', () => {
    beforeEach(() =>
      start({ otherIdentifiers: async () => [{ system: BSN_SYSTEM, value: '123456782' }] }, [
        BSN_SYSTEM,
      ]),
    );

    it('sends the BSN as the patient identifier', async () => {
      const booking = await book(0);
      dispatcher.start();
      await waitFor('delivered', settled);
      const sent = sim.appointments().get(booking.id) as {
        participant: { actor: { identifier?: { system: string; value: string } } }[];
      };
      assert.deepEqual(sent.participant[0]?.actor.identifier, {
        system: BSN_SYSTEM,
        value: '123456782',
      });
    });
  });
});
