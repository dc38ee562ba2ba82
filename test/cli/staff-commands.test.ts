/**
 * The staff and operator commands, run through the `tidbok` dispatcher on
 * the same SQLite file as a running app whose dispatcher reports to the EI
 * simulator: what a command changes reaches EI through the server, exactly
 * as the policy asks (rivta-spec §3.1).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { commands } from '../../src/cli/commands/index.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import type { BookingView } from '../../src/staff/booking-view.ts';
import { instantToTs, tsToInstant } from '../../src/domain/local-time.ts';
import { expected, receivedSince } from '../support/ei-received.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { startEiTestApp, TEST_EI_CONFIG, type EiTestApp } from '../support/test-app.ts';
import { FACILITY, HIDDEN, OTHER_PATIENT, PATIENT } from '../support/test-calendar.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

void describe(
  'staff commands reach the engagement index',
  { skip: skipWithoutNationalContracts },
  () => {
    let dir: string;
    let db: string;
    let t: EiTestApp;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tidbok-staff-'));
      db = join(dir, 'tidbok.db');
      t = await startEiTestApp({ store: db });
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** `tidbok <args>` in process, on the app's database and EI identity. */
    async function tidbok(...args: string[]) {
      return tidbokWithInput(undefined, ...args);
    }

    /** The same, with `input` as standard input. */
    async function tidbokWithInput(input: string | undefined, ...args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(args, commands, {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        ...(input !== undefined ? { stdin: () => Promise.resolve(input) } : {}),
        env: {
          TIDBOK_DB: db,
          EI_SOURCE_SYSTEM: TEST_EI_CONFIG.sourceSystem,
          EI_DATA_CONTROLLER: TEST_EI_CONFIG.dataController,
        },
      });
      return { code, out, err, json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
    }

    /** Runs a command, lets the server's dispatcher deliver, returns what EI received. */
    async function sent(...args: string[]) {
      await t.drained();
      const mark = t.ei.calls.length;
      const result = await tidbok(...args);
      assert.equal(result.code, 0, result.err.join('\n'));
      t.app.dispatchers.get('engagement-index')!.notify();
      await t.drained();
      return { result, received: receivedSince(t.ei, mark) };
    }

    const patient = ['--patient', PATIENT, '--first-name', 'Tolvan', '--last-name', 'Tolvansson'];

    void it('invitation create (open) sends an Invitation create', async () => {
      const { result, received } = await sent(
        'invitation',
        'create',
        '--facility',
        FACILITY,
        ...patient,
        '--time-type',
        'TT-LAK',
        '--purpose',
        'Dags för årskontroll',
        '--json',
      );
      const view = result.json() as unknown as BookingView;
      assert.equal(view.kind, 'open-invitation');
      const stored = await t.app.store.getBooking(view.id);
      assert.deepEqual(received, [
        expected(false, {
          person: PATIENT,
          categorization: 'Invitation',
          facility: FACILITY,
          id: view.id,
          mostRecentContent: instantToTs(stored!.createdAt),
        }),
      ]);
    });

    void it('invitation create (timed, DocBook from a file) then withdraw: create, then delete', async () => {
      const file = join(dir, 'purpose.xml');
      writeFileSync(
        file,
        '<article xmlns="http://docbook.org/ns/docbook"><para>Välkommen.</para></article>',
      );
      const slot = t.calendar.nurseSlots[0]!;
      const made = await sent(
        'invitation',
        'create',
        '--facility',
        FACILITY,
        ...patient,
        '--slot',
        slot.id,
        '--purpose-file',
        file,
        '--id',
        'kallelse-1',
      );
      assert.match(made.result.out[0]!, /^Invitation created: kallelse-1$/);
      const key = {
        person: PATIENT,
        categorization: 'Invitation',
        facility: FACILITY,
        id: 'kallelse-1',
      } as const;
      assert.deepEqual(made.received, [
        expected(false, { ...key, mostRecentContent: slot.start.ts }),
      ]);

      const withdrawn = await sent('invitation', 'withdraw', 'kallelse-1');
      assert.deepEqual(withdrawn.received, [expected(true, key)]);
    });

    void it('booking create, rebook and cancel each send their Update', async () => {
      const [a, b] = [t.calendar.doctorSlots[0]!, t.calendar.doctorSlots[1]!];
      const made = await sent(
        'booking',
        'create',
        '--facility',
        FACILITY,
        '--start',
        a.start.ts,
        '--end',
        a.end.ts,
        '--patient',
        OTHER_PATIENT,
        '--first-name',
        'Lena',
        '--last-name',
        'Handén',
        '--json',
      );
      const id = String(made.result.json()['id']);
      const key = {
        person: OTHER_PATIENT,
        categorization: 'Booking',
        facility: FACILITY,
        id,
      } as const;
      assert.deepEqual(made.received, [expected(false, { ...key, mostRecentContent: a.start.ts })]);

      const moved = await sent('booking', 'rebook', id, '--slot', b.id);
      assert.deepEqual(moved.received, [
        expected(false, { ...key, mostRecentContent: b.start.ts }),
      ]);

      const cancelled = await sent('booking', 'cancel', id);
      assert.deepEqual(cancelled.received, [expected(true, key)]);
    });

    void it("import creates the file's invitations with their Invitation creates", async () => {
      const file = join(dir, 'calendar.json');
      const start = t.calendar.doctorSlots[5]!.start.ts.slice(0, 8);
      writeFileSync(
        file,
        JSON.stringify({
          facilities: [
            {
              hsaId: 'SE2321000016-IMP1',
              name: 'Importerade mottagningen',
              webBookingEnabled: true,
              timeTypes: [
                {
                  id: 'lak',
                  name: 'Läkarbesök',
                  cancelAllowed: true,
                  rebookAllowed: true,
                  messageAllowed: false,
                },
              ],
              timeslots: [
                {
                  id: 'imp-slot',
                  timeTypeId: 'lak',
                  start: `${start}110000`,
                  end: `${start}112000`,
                },
              ],
              invitations: [
                {
                  id: 'imp-open',
                  subjectOfCare: PATIENT,
                  firstName: 'Tolvan',
                  lastName: 'Tolvansson',
                  timeTypeId: 'lak',
                  purpose: 'Öppen kallelse',
                },
                {
                  id: 'imp-timed',
                  subjectOfCare: PATIENT,
                  firstName: 'Tolvan',
                  lastName: 'Tolvansson',
                  timeTypeId: 'lak',
                  purpose: 'Tidsatt kallelse',
                  start: `${start}110000`,
                  end: `${start}112000`,
                },
              ],
            },
          ],
        }),
      );
      const { received } = await sent('import', file);
      const ids = received.map((r) => [
        r.deleteFlag,
        r.engagement.categorization,
        r.engagement.businessObjectInstanceIdentifier,
        r.engagement.logicalAddress,
      ]);
      assert.deepEqual(ids.sort(), [
        [false, 'Invitation', 'imp-open', 'SE2321000016-IMP1'],
        [false, 'Invitation', 'imp-timed', 'SE2321000016-IMP1'],
      ]);
      const timed = received.find(
        (r) => r.engagement.businessObjectInstanceIdentifier === 'imp-timed',
      );
      assert.equal(timed!.engagement.mostRecentContent, `${start}110000`);
      assert.ok(tsToInstant(timed!.engagement.mostRecentContent!) !== undefined);
    });

    void it('refuses with the Swedish text and exit 1 when the slot is taken, naming no personnummer', async () => {
      const slot = t.calendar.doctorSlots[2]!;
      assert.equal((await tidbok('booking', 'create', '--slot', slot.id, ...patient)).code, 0);
      const taken = await tidbok(
        'booking',
        'create',
        '--slot',
        slot.id,
        '--patient',
        OTHER_PATIENT,
        '--first-name',
        'A',
        '--last-name',
        'B',
      );
      assert.equal(taken.code, 1);
      assert.deepEqual(taken.err, [
        'tidbok booking create: Tiden är tyvärr redan bokad. Välj en annan tid.',
      ]);
      const bad = await tidbok(
        'booking',
        'create',
        '--slot',
        slot.id,
        '--patient',
        '1912121212',
        '--first-name',
        'A',
        '--last-name',
        'B',
      );
      assert.equal(bad.code, 1);
      assert.doesNotMatch(bad.err.join('\n'), /1912121212/);
      assert.match(bad.err[0]!, /subjectOfCare must be 12 characters/);
    });

    void it('reads the personnummer from standard input or a file, and never echoes one (issue 19 item 8)', async () => {
      const names = ['--first-name', 'Tolvan', '--last-name', 'Tolvansson', '--json'];
      const fromStdin = await tidbokWithInput(
        `${PATIENT}\n`,
        'booking',
        'create',
        '--slot',
        t.calendar.doctorSlots[8]!.id,
        '--patient',
        '-',
        ...names,
      );
      assert.equal(fromStdin.code, 0, fromStdin.err.join('\n'));
      const viaStdin = fromStdin.json() as unknown as BookingView;
      assert.equal((await t.app.store.getBooking(viaStdin.id))?.subjectOfCare, PATIENT);

      const file = join(dir, 'patient.txt');
      writeFileSync(file, `${OTHER_PATIENT}\r\n`);
      const fromFile = await tidbok(
        'booking',
        'create',
        '--slot',
        t.calendar.doctorSlots[9]!.id,
        '--patient-file',
        file,
        ...names,
      );
      assert.equal(fromFile.code, 0, fromFile.err.join('\n'));
      const viaFile = fromFile.json() as unknown as BookingView;
      assert.equal((await t.app.store.getBooking(viaFile.id))?.subjectOfCare, OTHER_PATIENT);

      for (const id of ['198402230208', '19840223+0208', '8402230208', '840223-0208']) {
        const shown = await tidbok('booking', 'show', id);
        assert.equal(shown.code, 1);
        assert.match(shown.err.join('\n'), /no booking or invitation with id/);
        assert.doesNotMatch(shown.err.join('\n'), /0208/, id);
      }
    });

    void it('outbox status shows a dead letter with its reason; outbox retry delivers it', async () => {
      await t.drained();
      t.ei.failNext(1, 'EI002');
      assert.equal(
        (
          await tidbok(
            'invitation',
            'create',
            '--facility',
            FACILITY,
            ...patient,
            '--time-type',
            'TT-LAK',
            '--purpose',
            'Provsvar',
          )
        ).code,
        0,
      );
      t.app.dispatchers.get('engagement-index')!.notify();
      let status = await tidbok('outbox', 'status', '--json');
      for (let i = 0; i < 200 && (status.json()['deadLetters'] as unknown[]).length === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
        status = await tidbok('outbox', 'status', '--json');
      }
      assert.equal(status.code, 1, 'dead letters make the status exit 1');
      const dead = status.json()['deadLetters'] as { id: number }[];
      assert.equal(dead.length, 1);
      const perChannel = status.json()['channels'] as Record<string, { deadLetters: number }>;
      assert.equal(perChannel['engagement-index']?.deadLetters, 1, 'reported per channel');

      const text = await tidbok('outbox', 'status');
      assert.match(text.out.join('\n'), /^pending: +\d+$/m);
      assert.match(text.out.join('\n'), /^in flight: +\d+$/m);
      assert.match(text.out.join('\n'), /^oldest pending age: /m);
      assert.match(text.out.join('\n'), /^dead letters: 1$/m);
      assert.match(
        text.out.join('\n'),
        /^ {2}engagement-index: \d+ pending, \d+ in flight, 1 dead,/m,
      );
      assert.match(text.out.join('\n'), /reason: EI002/);
      // EI messages are ordered by booking id: the dead letter names the invitation, not the patient.
      assert.match(text.out.join('\n'), /^ {2}#\d+ engagement-index key \S+ \(1 attempt,/m);
      assert.doesNotMatch(text.out.join('\n'), new RegExp(PATIENT));

      assert.equal((await tidbok('outbox', 'retry', '424242')).code, 1);
      assert.equal((await tidbok('outbox', 'retry')).code, 2);
      const retried = await sent('outbox', 'retry', String(dead[0]!.id));
      assert.deepEqual(retried.result.out, ['1 message re-queued for delivery.']);
      assert.equal(retried.received.length, 1);
      assert.equal(retried.received[0]!.engagement.categorization, 'Invitation');
      assert.equal((await tidbok('outbox', 'status')).code, 0);
      assert.equal(
        (await sent('outbox', 'retry', '--all-dead')).result.out[0],
        '0 messages re-queued for delivery.',
      );
    });

    void it('ei reload of a unit not enabled for web booking queues deletes, never upserts', async () => {
      const res = await tidbok('ei', 'reload', '--facility', HIDDEN, '--json');
      assert.equal(res.code, 0, res.err.join('\n'));
      assert.equal(res.json()['queued'], 'delete');
      assert.equal((await tidbok('ei', 'reload', '--facility', 'SE2321000016-NONE')).code, 1);
    });

    void it('migrate lists the applied migrations through the installed bin', () => {
      const result = spawnSync(
        process.execPath,
        [join(root, 'bin/tidbok.mjs'), 'migrate', '--db', db],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: '', TIDBOK_DB: '' },
        },
      );
      assert.equal(result.status, 0, result.stderr);
      // Every migration is listed, up to the version the schema is at (more come with new features).
      const version = Number(/^Schema of .+ is at version (\d+):$/m.exec(result.stdout)?.[1]);
      assert.ok(version >= 4, result.stdout);
      assert.equal(result.stdout.match(/^ +\d+ {2}.+ \(applied \S+\)$/gm)?.length, version);
      assert.match(
        result.stdout,
        /^ +3 {2}housekeeping marks passed bookings and expired invitations \(applied \S+\)$/m,
      );
      assert.match(result.stdout, /^ +4 {2}free-slot search per named performer \(applied \S+\)$/m);
    });
  },
);
