import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StaffActionError } from './staff-action-error.ts';
import {
  bookForPatientInput,
  createInvitationInput,
  readInput,
  retryDeadLettersInput,
} from './staff-inputs.ts';

function problems(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof StaffActionError);
    assert.equal(err.kind, 'invalid');
    return err.message;
  }
  assert.fail('expected the input to be refused');
}

void describe('staff inputs', () => {
  void it('names every problem at once, each by its field, quoting no value', () => {
    const message = problems(() =>
      readInput(bookForPatientInput, {
        subjectOfCare: '19121212121X',
        patient: { firstName: '' },
        start: '202601011200',
      }),
    );
    assert.equal(
      message,
      'subjectOfCare must be 12 characters: yyyyMMdd and four more digits (a letter in the ninth place for a reserve number); ' +
        'patient.firstName must be a non-empty string; patient.lastName is required; ' +
        'start must be a time written yyyyMMddHHmmss',
    );
    assert.doesNotMatch(message, /19121212/);
  });

  void it('applies the rules between fields', () => {
    assert.equal(
      problems(() => readInput(bookForPatientInput, { slotId: 's', start: '20260101120000' })),
      'subjectOfCare is required; patient is required: { "firstName": …, "lastName": … }; ' +
        'give either slotId or start and end, not both',
    );
    assert.match(
      problems(() =>
        readInput(createInvitationInput, {
          facility: 'F',
          subjectOfCare: '191212121212',
          patient: { firstName: 'T', lastName: 'T' },
          purpose: 'p',
        }),
      ),
      /^timeTypeId is required for an open invitation$/,
    );
  });

  void it('reads a missing body as an empty one and refuses one that is not an object', () => {
    assert.match(
      problems(() => readInput(bookForPatientInput, undefined)),
      /^subjectOfCare is required/,
    );
    assert.equal(
      problems(() => readInput(bookForPatientInput, [1])),
      'the request body must be a JSON object',
    );
  });

  void it('gives typed values back', () => {
    assert.deepEqual(readInput(retryDeadLettersInput, { id: 7 }), { id: 7 });
    assert.deepEqual(readInput(retryDeadLettersInput, { allDead: true }), { allDead: true });
    assert.match(
      problems(() => readInput(retryDeadLettersInput, { id: 7, allDead: true })),
      /give \{ "id"/,
    );
  });
});
