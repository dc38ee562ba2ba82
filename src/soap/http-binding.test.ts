import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetSubjectOfCareSchedule } from '../contracts/scheduling.ts';
import { defineOperation, requestFacility } from '../operations/operation.ts';
import type { TimeslotDetail } from '../operations/timeslot-detail.ts';
import type { CalendarView } from '../store/calendar-store.ts';
import { nationalErrors } from '../../test/support/national-schemas.ts';
import { requestEnvelope } from '../../test/support/soap-client.ts';
import { testLogger } from '../../test/support/test-app.ts';
import { SlabPool } from './answer-slabs.ts';
import { createSoapBinding } from './http-binding.ts';

const FACILITY = 'SE2321000016-F001';
/** Entries in a long answer: about 2.6 MB, more than loopback's socket buffers take at once. */
const LONG = 12_000;

/** A schedule whose every entry names `marker` (the patient asked for), so a stray byte from another answer shows. */
function scheduleFor(marker: string, entries: number): { timeslotDetail: TimeslotDetail[] } {
  return {
    timeslotDetail: Array.from({ length: entries }, (_, i) => ({
      startTimeInclusive: '20261207080000',
      endTimeExclusive: '20261207082000',
      healthcare_facility: FACILITY,
      bookingId: `B-${i}`,
      subject_of_care: marker,
      reason: `Återbesök ${marker} nr ${i}`,
      cancel_booking_allowed: true,
    })),
  };
}

/** How often each 12-digit subject appears as an element in `text`. */
function subjectsIn(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/<subject_of_care>(\d{12})<\/subject_of_care>/g))
    counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}

describe('SOAP binding: answers written into pooled memory', () => {
  const slabs = new SlabPool(64 * 1024, 256);
  /** Subjects whose answer is one object handed back on every request (as a cache would). */
  const reused = new Map<string, { timeslotDetail: TimeslotDetail[] }>();
  let server: Server;
  let url: string;

  before(async () => {
    const operation = defineOperation(GetSubjectOfCareSchedule, {
      facilitiesOf: requestFacility,
      async handle(req) {
        const subject = req.subject_of_care;
        if (subject.startsWith('1999')) {
          let answer = reused.get(subject);
          if (!answer) reused.set(subject, (answer = scheduleFor(subject, LONG)));
          return answer;
        }
        return scheduleFor(subject, subject.startsWith('1900') ? 3 : LONG);
      },
    });
    const calendar = {
      getFacility: async (hsaId: string) => (hsaId === FACILITY ? { hsaId } : undefined),
    } as unknown as CalendarView;
    const handle = createSoapBinding({
      operations: [operation],
      calendarView: () => calendar,
      logger: testLogger(),
      answerSlabs: slabs,
    });
    server = createServer((req, res) => void handle(req, res, operation));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends the schedule request for `subject`; the answer arrives unread (paused). */
  function ask(subject: string): Promise<IncomingMessage> {
    const body = requestEnvelope(
      GetSubjectOfCareSchedule,
      { healthcare_facility: FACILITY, subject_of_care: subject },
      { logicalAddress: FACILITY },
    );
    return new Promise((resolve, reject) => {
      const req = request(
        `${url}${GetSubjectOfCareSchedule.path}`,
        { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=UTF-8' }, agent: false },
        (res) => {
          res.pause();
          resolve(res);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function readAll(res: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    assert.equal(res.statusCode, 200);
    assert.equal(Number(res.headers['content-length']), bytes.length, 'Content-Length exact');
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  }

  const get = async (subject: string) => readAll(await ask(subject));

  it('keeps an answer its client has not read yet intact while later answers reuse the memory', async () => {
    // The first answer stays mostly in the server's write queue (its client
    // reads nothing) while five more are encoded, sent and read in full.
    // Had its slabs gone back to the pool before the socket took them, the
    // later answers would have been written over its queued bytes.
    const slow = await ask('195001019008');
    const others = ['196001019005', '197001019002', '198001019009', '199101019000', '200001019008'];
    for (const subject of others)
      assert.deepEqual([...subjectsIn(await get(subject))], [[subject, LONG]]);
    await sleep(20);
    const text = await readAll(slow);
    assert.deepEqual([...subjectsIn(text)], [['195001019008', LONG]], 'no byte of another answer');
    assert.deepEqual(nationalErrors(text), []);
  });

  it('answers many long schedules at once, each whole and only its own', async () => {
    const subjects = Array.from({ length: 8 }, (_, i) => `19${60 + i}01019000`);
    const answers = await Promise.all(subjects.map(get));
    answers.forEach((text, i) => assert.deepEqual([...subjectsIn(text)], [[subjects[i], LONG]]));
  });

  it('reuses the same slabs for one answer after another', async () => {
    await get('196501019000');
    const created = slabs.created;
    for (let i = 0; i < 5; i++) await get('196601019000');
    assert.equal(slabs.created, created, 'no new slab for answers sent one at a time');
    assert.ok(slabs.idle > 0, 'the slabs are back in the pool once sent');
  });

  it('sends an answer the handler hands back again intact, after pooled answers reused the memory', async () => {
    const first = await get('199901019008');
    for (let i = 0; i < 3; i++) await get(`19700101900${i}`);
    const again = await get('199901019008');
    assert.equal(again, first);
    assert.deepEqual([...subjectsIn(again)], [['199901019008', LONG]]);
    const third = await get('199901019008');
    assert.equal(third, first);
  });

  it('answers a short schedule from the pool too', async () => {
    const text = await get('190001019007');
    assert.deepEqual([...subjectsIn(text)], [['190001019007', 3]]);
    assert.deepEqual(nationalErrors(text), []);
  });
});
