import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BSN_SYSTEM,
  chooseIdentifier,
  DEFAULT_ACCEPTED_SYSTEMS,
  maskIdentifier,
  maskIdentifiersInText,
  PERSONNUMMER_SYSTEM,
  SAMORDNINGSNUMMER_SYSTEM,
  swedishIdentifierOf,
} from './patient-identifier.ts';

describe('swedishIdentifierOf', () => {
  it('tells a personnummer from a samordningsnummer by the day of birth', () => {
    assert.deepEqual(swedishIdentifierOf('191212121212'), {
      system: PERSONNUMMER_SYSTEM,
      value: '191212121212',
    });
    assert.deepEqual(swedishIdentifierOf('199001722384'), {
      system: SAMORDNINGSNUMMER_SYSTEM,
      value: '199001722384',
    });
  });

  it('gives no national identifier for a reserve number', () => {
    assert.equal(swedishIdentifierOf('19121212T123'), undefined);
  });
});

describe('chooseIdentifier', () => {
  const pnr = { system: PERSONNUMMER_SYSTEM, value: '191212121212' };
  const bsn = { system: BSN_SYSTEM, value: '123456782' };

  it('takes the first accepted system in the configured order', () => {
    assert.deepEqual(chooseIdentifier([pnr, bsn], [BSN_SYSTEM, PERSONNUMMER_SYSTEM]), bsn);
    assert.deepEqual(chooseIdentifier([pnr, bsn], DEFAULT_ACCEPTED_SYSTEMS), pnr);
  });

  it('finds nothing when the portal accepts none of the patient’s systems', () => {
    assert.equal(chooseIdentifier([pnr], [BSN_SYSTEM]), undefined);
  });
});

describe('masking', () => {
  it('keeps a personnummer’s birth date and nothing of a BSN', () => {
    assert.equal(
      maskIdentifier({ system: PERSONNUMMER_SYSTEM, value: '191212121212' }),
      '19121212-****',
    );
    assert.equal(maskIdentifier({ system: BSN_SYSTEM, value: '123456782' }), '****');
  });

  it('masks the values we sent wherever the portal quotes them', () => {
    assert.equal(
      maskIdentifiersInText('unknown patient 123456782', [
        { system: BSN_SYSTEM, value: '123456782' },
      ]),
      'unknown patient ****',
    );
  });
});
