/**
 * The real app with the FHIR portal channel on, pointed at an in-process
 * portal simulator, and its dispatcher running with short retries: what the
 * FHIR end-to-end tests start.
 */
import { enableChannel } from '../../src/channels/channel-module.ts';
import { fhirPortal } from '../../src/channels/fhir-portal/index.ts';
import { DEFAULT_ACCEPTED_SYSTEMS } from '../../src/channels/fhir-portal/patient-identifier.ts';
import type { AppOptions } from '../../src/app.ts';
import { startFhirSimulator } from '../../src/dev/fhir-simulator.ts';
import type { FhirSimulator } from '../../src/dev/fhir-simulator.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { assertValidFhir } from './fhir-r4-schema.ts';

export interface FhirTestApp extends TestApp {
  readonly sim: FhirSimulator;
  /** Waits until the channel has nothing pending or in flight; resolves to its outbox status. */
  drained(): ReturnType<TestApp['app']['outbox']['status']>;
  /** The environment that points `tidbok` commands at the same portal, as the server's. */
  readonly portalEnv: Readonly<Record<string, string>>;
}

/**
 * Starts the portal simulator and the app with the channel on for every
 * facility. `acceptedSystems` is both what the portal accepts and what the
 * channel is configured to send (default: both Swedish systems, then BSN).
 */
export async function startFhirTestApp(
  options: Partial<Pick<AppOptions, 'store' | 'adminToken'>> & {
    readonly acceptedSystems?: readonly string[];
  } = {},
): Promise<FhirTestApp> {
  const { acceptedSystems = DEFAULT_ACCEPTED_SYSTEMS, ...app } = options;
  const sim = await startFhirSimulator(options.acceptedSystems ? { acceptedSystems } : {});
  const t = await startTestApp({
    ...app,
    channels: [
      enableChannel(fhirPortal, {
        facilities: undefined,
        acceptedSystems,
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
  return {
    ...t,
    sim,
    async drained() {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const status = await t.app.outbox.status('fhir-portal');
        if (status.pending === 0 && status.inFlight === 0) return status;
        if (Date.now() > deadline) throw new Error('the fhir-portal outbox did not drain');
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    portalEnv: {
      SPREEKUUR_URL: sim.baseUrl,
      SPREEKUUR_TOKEN_URL: sim.tokenUrl,
      SPREEKUUR_CLIENT_ID: sim.clientId,
      SPREEKUUR_CLIENT_SECRET: sim.clientSecret,
      SPREEKUUR_ORGANIZATION: sim.organization,
      SPREEKUUR_ORGANIZATION_HEADER: sim.organizationHeader,
      SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS: acceptedSystems.join(','),
    },
    async close() {
      await t.close();
      await sim.close();
    },
  };
}

/**
 * Books the first seeded doctor's slot over SOAP for `subjectOfCare` and
 * answers the patient identifier of the Appointment the portal accepted for
 * it (checked against the R4 schema).
 */
export async function bookAndReadPatientIdentifier(
  t: FhirTestApp,
  subjectOfCare?: string,
): Promise<unknown> {
  const slot = t.calendar.doctorSlots[0]!;
  const id = await soapMakeBooking(t.url, slot, subjectOfCare ? { subjectOfCare } : {});
  await t.drained();
  const put = t.sim.accepted().find((r) => r.path === `/Appointment/${id}`);
  if (!put) throw new Error(`the portal accepted no Appointment/${id}`);
  assertValidFhir(put.body);
  const sent = put.resource as { participant: { actor: { identifier?: unknown } }[] };
  return sent.participant[0]!.actor.identifier;
}
