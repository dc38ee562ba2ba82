import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskPersonIdsInText } from './personnummer.ts';

void describe('maskPersonIdsInText', () => {
  void it('masks every written form of a person id', () => {
    for (const [clear, masked] of [
      ['198402230208', '19840223-****'],
      ['19840223-0208', '19840223-****'],
      ['19840223+0208', '19840223-****'],
      ['8402230208', '840223-****'],
      ['840223-0208', '840223-****'],
      ['840223+0208', '840223-****'],
      ['198402830208', '19840283-****'], // samordningsnummer: day + 60
      ['8402830208', '840283-****'],
      ['19840223T208', '19840223-****'], // reserve number
      ['SE198402230208x', 'SE19840223-****x'],
    ])
      assert.equal(maskPersonIdsInText(`id ${clear}.`), `id ${masked}.`, clear);
  });

  void it('leaves HSA-ids, organisation numbers, dates and times readable', () => {
    for (const text of [
      'SE2321000016-TIDB',
      'EI 5565594230',
      '20270301',
      '20270301120000',
      'slot reload-1205',
      '1733500000000',
    ])
      assert.equal(maskPersonIdsInText(text), text);
  });
});
