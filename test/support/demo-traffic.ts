/**
 * Realistic traffic against the demo calendar (fixtures/demo-calendar.json):
 * look for free slots, book them for distinct patients. Plain node:http with
 * a keep-alive agent, as the service platform talks to a producer.
 */
import type { Agent } from 'node:http';
import { request } from 'node:http';
import { GetAvailableTimeslots, MakeBooking } from '../../src/contracts/scheduling.ts';
import type { Decoded } from '../../src/contracts/model.ts';
import { addDays, instantToDt } from '../../src/domain/local-time.ts';
import { decodeComplex } from '../../src/xml/decode.ts';
import { parseXml } from '../../src/xml/parse.ts';
import { requestEnvelope } from './soap-client.ts';

export const DEMO_FACILITY = 'SE2321000016-1hz5';

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export function post(agent: Agent, url: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'text/xml; charset=UTF-8',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The n-th of many distinct, valid person ids (real birth dates; no check digit is verified). */
export function patient(n: number): string {
  return `19${String(50 + (n % 50)).padStart(2, '0')}${String((n % 12) + 1).padStart(2, '0')}${String((Math.floor(n / 12) % 28) + 1).padStart(2, '0')}${String(n % 10_000).padStart(4, '0')}`;
}

export type Slot = Decoded<typeof GetAvailableTimeslots.response>['timeslotDetail'][number];

export function availableTimeslotsRequest(subject: string, days = 60): string {
  const today = instantToDt(Date.now());
  return requestEnvelope(
    GetAvailableTimeslots,
    {
      healthcare_facility: DEMO_FACILITY,
      startDateInclusive: today,
      endDateInclusive: addDays(today, days),
      performer: [],
      subject_of_care: subject,
    },
    { logicalAddress: DEMO_FACILITY },
  );
}

function soapBody(text: string) {
  const envelope = parseXml(text);
  return envelope.children.find((c) => c.local === 'Body')!.children[0]!;
}

export function decodeSlots(text: string): Slot[] {
  return decodeComplex(GetAvailableTimeslots.response, soapBody(text)).timeslotDetail;
}

export function makeBookingRequest(slot: Slot, subject: string): string {
  return requestEnvelope(
    MakeBooking,
    {
      healthcare_facility_med: slot.healthcare_facility,
      requestedTimeslot: {
        startTimeInclusive: slot.startTimeInclusive,
        endTimeExclusive: slot.endTimeExclusive,
        healthcare_facility: slot.healthcare_facility,
        bookingId: slot.bookingId,
        subject_of_care: subject,
      },
      subject_of_care_info: { firstName: 'Test', lastName: 'Testsson' },
    },
    { logicalAddress: slot.healthcare_facility },
  );
}

/** The resultCode and bookingId of a MakeBooking answer (HTTP 200). */
export function bookingOutcome(text: string): { resultCode: string; bookingId?: string } {
  const decoded = decodeComplex(MakeBooking.response, soapBody(text));
  return {
    resultCode: decoded.resultCode,
    ...(decoded.bookingId !== undefined ? { bookingId: decoded.bookingId } : {}),
  };
}
