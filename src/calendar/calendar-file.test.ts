import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aFacilityJson } from '../../test/support/calendar-file-fixture.ts';
import { CalendarFileError, parseCalendarFile } from './calendar-file.ts';

/** A small valid file; tests change one thing at a time. */
function aFile(): { facilities: Record<string, unknown>[] } {
  return {
    facilities: [
      aFacilityJson({
        schedules: [
          {
            timeTypeId: 'prov',
            performer: 'SE2321000016-p001',
            weekdays: ['mon', 'wed'],
            from: '08:00',
            to: '10:00',
            slotMinutes: 15,
          },
        ],
        timeslots: [{ start: '20270104080000', end: '20270104081500', timeTypeId: 'prov' }],
        invitations: [
          {
            id: 'inv-1',
            subjectOfCare: '191212121212',
            firstName: 'Tolvan',
            lastName: 'Tolvansson',
            timeTypeId: 'prov',
            purpose: 'Välkommen på provtagning.',
          },
        ],
      }),
    ],
  };
}

function problemsOf(json: unknown): readonly string[] {
  try {
    parseCalendarFile(json);
  } catch (err) {
    if (err instanceof CalendarFileError) return err.problems;
    throw err;
  }
  assert.fail('expected the file to be rejected');
}

const facility0 = (file: ReturnType<typeof aFile>) => file.facilities[0]!;
const listOf = (file: ReturnType<typeof aFile>, key: string) =>
  facility0(file)[key] as Record<string, unknown>[];

void describe('parseCalendarFile', () => {
  void it('accepts a valid file and fills in the defaults', () => {
    const file = parseCalendarFile(aFile());
    const f = file.facilities[0]!;
    assert.equal(f.hsaId, 'SE2321000016-1hz5');
    assert.deepEqual(f.partnerFacilities, []);
    assert.equal(f.timeTypes[0]!.webBookable, true);
    assert.equal(f.timeTypes[0]!.audience, 'everyone');
    assert.equal(f.invitations[0]!.start, undefined);
  });

  void it('reads an optional postal address, all three parts required', () => {
    const file = aFile();
    assert.equal(parseCalendarFile(file).facilities[0]!.postalAddress, undefined);
    const address = { street: 'Hantverkargatan 11', postalCode: '112 21', city: 'Stockholm' };
    facility0(file)['postalAddress'] = address;
    assert.deepEqual(parseCalendarFile(file).facilities[0]!.postalAddress, address);
    facility0(file)['postalAddress'] = { street: 'Hantverkargatan 11', postalCode: '1122' };
    assert.deepEqual(problemsOf(file), [
      'facilities[0].postalAddress.city: required',
      'facilities[0].postalAddress.postalCode: must be a Swedish postal code: five digits, e.g. 112 21',
    ]);
  });

  void it("reads a time type's optional booking and cancellation texts, which must not be empty", () => {
    const file = aFile();
    const fee = 'Avbokning senare än 24 timmar före besöket debiteras.';
    const type = listOf(file, 'timeTypes')[0]!;
    assert.equal('cancelInfo' in parseCalendarFile(file).facilities[0]!.timeTypes[0]!, false);
    Object.assign(type, { bookingInfo: 'Kom fastande.', cancelInfo: fee });
    const parsed = parseCalendarFile(file).facilities[0]!.timeTypes[0]!;
    assert.deepEqual([parsed.bookingInfo, parsed.cancelInfo], ['Kom fastande.', fee]);
    Object.assign(type, { cancelInfo: ' ' });
    assert.deepEqual(problemsOf(file), [
      'facilities[0].timeTypes[0].cancelInfo: must not be empty',
    ]);
  });

  void it("reads patients' identifiers, and none when the file lists no patients", () => {
    const file: Record<string, unknown> = aFile();
    assert.deepEqual(parseCalendarFile(file).patients, []);
    const bsn = { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456782' };
    const oid = { system: 'urn:oid:2.16.840.1.113883.2.4.6.3', value: 'X-12.3' };
    file['patients'] = [{ subjectOfCare: '191212121212', identifiers: [bsn, oid] }];
    assert.deepEqual(parseCalendarFile(file).patients, [
      { subjectOfCare: '191212121212', identifiers: [bsn, oid] },
    ]);
  });

  void it('names each bad patient identifier by its path, quoting neither it nor the personnummer', () => {
    const file: Record<string, unknown> = aFile();
    const bsn = 'http://fhir.nl/fhir/NamingSystem/bsn';
    file['patients'] = [
      {
        subjectOfCare: '191212121212',
        identifiers: [
          { system: bsn, value: '123456789' },
          { system: 'bsn', value: '123456782' },
          { system: bsn, value: '123456782' },
          { value: '987654321' },
        ],
      },
      { subjectOfCare: '191212121212', identifiers: [] },
      { subjectOfCare: '191213321212', identifiers: [{ system: bsn, value: '12 34' }] },
    ];
    const problems = problemsOf(file);
    assert.deepEqual(problems, [
      'patients[0].identifiers[0].value: a BSN must be nine digits that pass the elfproef',
      'patients[0].identifiers[1].system: must be an identifier system: urn:oid:… or an http(s) URI',
      'patients[0].identifiers[3].system: required',
      'patients[0].identifiers[2].system: identifier system given already at patients[0].identifiers[0].system',
      'patients[1].identifiers: required: a non-empty list of {system, value}',
      'patients[2].subjectOfCare: does not begin with a real date of birth',
      'patients[2].identifiers[0].value: must be 1 to 64 letters, digits, dots or hyphens',
      'patients[1].subjectOfCare: patient listed already at patients[0].subjectOfCare',
    ]);
    assert.doesNotMatch(problems.join('\n'), /12121212|13321212|123456789|123456782|987654321/);
  });

  void it('names a missing time type id by its JSON path', () => {
    const file = aFile();
    file.facilities.push({ ...facility0(file), hsaId: 'SE2321000016-7p3k', invitations: [] });
    delete (file.facilities[1]!['timeTypes'] as Record<string, unknown>[])[0]!['id'];
    assert.ok(problemsOf(file).includes('facilities[1].timeTypes[0].id: required'));
  });

  void it('lists every problem, not only the first', () => {
    const file = aFile();
    delete facility0(file)['name'];
    listOf(file, 'timeTypes')[0]!['cancelAllowed'] = 'yes';
    listOf(file, 'schedules')[0]!['from'] = '8.00';
    const problems = problemsOf(file);
    assert.deepEqual(problems, [
      'facilities[0].name: required',
      'facilities[0].timeTypes[0].cancelAllowed: must be true or false',
      'facilities[0].schedules[0].from: must be a local time written HH:mm',
    ]);
  });

  void it('rejects a file that is not an object with a list of facilities', () => {
    assert.deepEqual(problemsOf([]), ['(the file): must be an object']);
    assert.deepEqual(problemsOf({}), ['facilities: required: a list of facilities']);
  });

  void it('rejects unknown fields so that a misspelt flag is not silently ignored', () => {
    const file = aFile();
    listOf(file, 'timeTypes')[0]!['cancelAlowed'] = true;
    assert.deepEqual(problemsOf(file), [
      'facilities[0].timeTypes[0].cancelAlowed: is not a field of the calendar format',
    ]);
  });

  void it('allows $comment anywhere', () => {
    const file = aFile();
    facility0(file)['$comment'] = 'Öppettider enligt beslut 2026-10-01';
    assert.doesNotThrow(() => parseCalendarFile(file));
  });

  void it('rejects HSA-ids that are empty or have surrounding whitespace', () => {
    const file = aFile();
    facility0(file)['hsaId'] = ' SE2321000016-1hz5';
    listOf(file, 'performers')[0]!['hsaId'] = '';
    const problems = problemsOf(file);
    assert.ok(problems.includes('facilities[0].hsaId: must not begin or end with whitespace'));
    assert.ok(problems.includes('facilities[0].performers[0].hsaId: must not be empty'));
  });

  void it('rejects references to time types, care types, performers and resources that do not exist', () => {
    const file = aFile();
    Object.assign(listOf(file, 'schedules')[0]!, {
      timeTypeId: 'vacc',
      careTypeId: 'bvc',
      performer: 'SE2321000016-nobody',
      resourceId: 'rum9',
    });
    assert.deepEqual(problemsOf(file), [
      "facilities[0].schedules[0].timeTypeId: no time type 'vacc' in this facility",
      "facilities[0].schedules[0].careTypeId: no care type 'bvc' in this facility",
      "facilities[0].schedules[0].performer: no performer 'SE2321000016-nobody' in this facility",
      "facilities[0].schedules[0].resourceId: no resource 'rum9' in this facility",
    ]);
  });

  void it('matches performer references case-insensitively and keeps the declared spelling', () => {
    const file = aFile();
    listOf(file, 'schedules')[0]!['performer'] = 'se2321000016-P001';
    const parsed = parseCalendarFile(file);
    assert.equal(parsed.facilities[0]!.schedules[0]!.performer, 'SE2321000016-p001');
  });

  void it('rejects a care type the time type does not serve', () => {
    const file = aFile();
    listOf(file, 'careTypes').push({ id: 'bvc', name: 'Barnavårdscentral' });
    listOf(file, 'timeslots')[0]!['careTypeId'] = 'bvc';
    assert.deepEqual(problemsOf(file), [
      "facilities[0].timeslots[0].careTypeId: time type 'prov' does not serve care type 'bvc'",
    ]);
  });

  void it('rejects duplicate ids within a facility and across facilities', () => {
    const file = aFile();
    listOf(file, 'timeTypes').push({ ...listOf(file, 'timeTypes')[0]! });
    file.facilities.push({
      ...facility0(file),
      hsaId: 'se2321000016-1HZ5',
      timeTypes: [listOf(file, 'timeTypes')[0]],
    });
    const problems = problemsOf(file);
    assert.ok(
      problems.includes(
        'facilities[0].timeTypes[1].id: time type id already used at facilities[0].timeTypes[0].id',
      ),
    );
    assert.ok(
      problems.includes('facilities[1].hsaId: facility id already used at facilities[0].hsaId'),
    );
    assert.ok(
      problems.includes(
        'facilities[1].invitations[0].id: invitation id already used at facilities[0].invitations[0].id',
      ),
    );
  });

  void it('checks TS and DT values as real local times', () => {
    const file = aFile();
    listOf(file, 'timeslots')[0]!['start'] = '20270230080000';
    listOf(file, 'schedules')[0]!['validTo'] = '2027-01-31';
    const problems = problemsOf(file);
    assert.deepEqual(problems, [
      'facilities[0].schedules[0].validTo: must be a date written yyyyMMdd',
      'facilities[0].timeslots[0].start: names a day that does not exist',
    ]);
  });

  void it('rejects an explicit slot that does not start before it ends', () => {
    const file = aFile();
    listOf(file, 'timeslots')[0]!['end'] = '20270104080000';
    assert.deepEqual(problemsOf(file), [
      'facilities[0].timeslots[0].end: must be later than start',
    ]);
  });

  void it('rejects an explicit slot in the hour skipped when summer time begins', () => {
    const file = aFile();
    Object.assign(listOf(file, 'timeslots')[0]!, {
      start: '20270328021500',
      end: '20270328031500',
    });
    assert.deepEqual(problemsOf(file), [
      'facilities[0].timeslots[0].start: falls in the hour skipped when summer time begins',
    ]);
  });

  void it('rejects a template whose slots cannot fit or whose times are reversed', () => {
    const file = aFile();
    listOf(file, 'schedules').push(
      { timeTypeId: 'prov', weekdays: ['fri'], from: '10:00', to: '09:00', slotMinutes: 15 },
      { timeTypeId: 'prov', weekdays: ['fri'], from: '09:00', to: '09:10', slotMinutes: 15 },
      { timeTypeId: 'prov', weekdays: [], from: '09:00', to: '10:00', slotMinutes: 0 },
      { timeTypeId: 'prov', weekdays: ['fre'], from: '09:00', to: '10:00', slotMinutes: 15 },
    );
    assert.deepEqual(problemsOf(file), [
      'facilities[0].schedules[1].to: must be later than from',
      'facilities[0].schedules[2].slotMinutes: is longer than the time from–to: no slot would fit',
      'facilities[0].schedules[3].weekdays: required: a non-empty list of mon, tue, wed, thu, fri, sat, sun',
      'facilities[0].schedules[3].slotMinutes: must be a whole number of minutes above 0',
      'facilities[0].schedules[4].weekdays[0]: must be one of mon, tue, wed, thu, fri, sat, sun',
    ]);
  });

  void it('never puts a personnummer into an error message', () => {
    const file = aFile();
    listOf(file, 'invitations')[0]!['subjectOfCare'] = '191213321212';
    const problems = problemsOf(file);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^facilities\[0\]\.invitations\[0\]\.subjectOfCare: /);
    assert.doesNotMatch(problems.join('\n'), /191213321212|13321212/);
  });

  void it('requires both start and end of a timed invitation, and no expiresOn on it', () => {
    const file = aFile();
    listOf(file, 'invitations')[0]!['start'] = '20270104080000';
    listOf(file, 'invitations')[0]!['expiresOn'] = '20270101';
    assert.deepEqual(problemsOf(file), [
      'facilities[0].invitations[0]: give both start and end (a timed invitation) or neither (an open one)',
      'facilities[0].invitations[0].expiresOn: only an open invitation expires; a timed one ends at its start',
    ]);
  });

  void it('rejects a partner facility that is the facility itself', () => {
    const file = aFile();
    facility0(file)['partnerFacilities'] = ['SE2321000016-7p3k', 'se2321000016-1HZ5'];
    assert.deepEqual(problemsOf(file), [
      'facilities[0].partnerFacilities[1]: is the facility itself',
    ]);
  });

  void it('rejects an audience other than everyone or returning-patients', () => {
    const file = aFile();
    listOf(file, 'timeTypes')[0]!['audience'] = 'new-patients';
    assert.deepEqual(problemsOf(file), [
      "facilities[0].timeTypes[0].audience: must be 'everyone' or 'returning-patients'",
    ]);
  });
});
