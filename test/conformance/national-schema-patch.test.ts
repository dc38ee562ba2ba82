import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeElement, prefixesFor } from '../../src/xml/encode.ts';
import { GetSubjectOfCareSchedule } from '../../src/contracts/scheduling.ts';
import {
  nationalContractsDir,
  nationalErrors,
  patchNationalSchema,
  skipWithoutNationalContracts,
  subjectOfCarePatch,
  unpatchedNationalErrors,
} from '../support/national-schemas.ts';

function scheduleRequest(subjectOfCare: string): string {
  const { request, responderNs, name } = GetSubjectOfCareSchedule;
  return encodeElement(
    name,
    responderNs,
    request,
    { healthcare_facility: 'SE2321000016-1hz5', subject_of_care: subjectOfCare },
    prefixesFor(request),
  );
}

describe(
  'the in-memory patch of the national SubjectOfCareIdType',
  { skip: skipWithoutNationalContracts },
  () => {
    it('changes exactly the one broken pattern and nothing else', () => {
      const onDisk = readFileSync(join(nationalContractsDir!, subjectOfCarePatch.file), 'utf8');
      const patched = patchNationalSchema(subjectOfCarePatch.file, onDisk);
      const before = onDisk.split('\n');
      const after = patched.split('\n');
      assert.equal(after.length, before.length);
      const changed = before.flatMap((line, i) => (line === after[i] ? [] : [i]));
      assert.equal(changed.length, 1, 'exactly one line changes');
      const i = changed[0]!;
      assert.equal(before[i]!.trim(), `<xs:pattern value="${subjectOfCarePatch.from}"/>`);
      assert.equal(after[i]!.trim(), `<xs:pattern value="${subjectOfCarePatch.to}"/>`);
      assert.equal(
        before[i]!.replace(subjectOfCarePatch.from, subjectOfCarePatch.to),
        after[i],
        'the rest of the line is untouched',
      );
    });

    it('leaves every other national file as it is', () => {
      const text = '<xs:pattern value="^[0-9]{8}[0-9pPtTfF][0-9]{3}$"/>';
      assert.equal(
        patchNationalSchema('TD_ENGAGEMENTINDEX_1_0_R/core_components/x.xsd', text),
        text,
      );
    });

    it('rejects 191212121212 with the unpatched schema and accepts it with the patched one', () => {
      const xml = scheduleRequest('191212121212');
      const unpatched = unpatchedNationalErrors(xml);
      assert.equal(unpatched.length, 1, unpatched.join('\n'));
      assert.match(unpatched[0]!, /subject_of_care.*pattern/s);
      assert.deepEqual(nationalErrors(xml), []);
    });

    it('still rejects a malformed personnummer with the patched schema', () => {
      const errors = nationalErrors(scheduleRequest('19121212-1212'));
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0]!, /subject_of_care/);
    });
  },
);
