/** Keeps docs/calendar-format.md true: its example is a valid calendar file. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCalendarFile } from '../../src/calendar/calendar-file.ts';
import { expandCalendar } from '../../src/calendar/expand-calendar.ts';

const doc = readFileSync(new URL('../../docs/calendar-format.md', import.meta.url), 'utf8');

void describe('docs/calendar-format.md', () => {
  void it('has an example that parses and expands', () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    assert.ok(example, 'the doc has a json example');
    const file = parseCalendarFile(JSON.parse(example));
    const imported = expandCalendar(file, { todayDt: '20270201' });
    assert.equal(imported.facilities[0]?.hsaId, 'SE2321000016-1hz5');
    assert.ok(imported.timeslots.some((s) => s.id === 'extra-lordag-1'));
    assert.equal(imported.invitations.length, 1);
  });

  void it('names every field the format accepts', () => {
    const source = readFileSync(
      new URL('../../src/calendar/calendar-file.ts', import.meta.url),
      'utf8',
    );
    const fields = new Set<string>();
    for (const block of source.matchAll(/r\.object\([^[]*\[([^\]]*)\]/g))
      for (const name of block[1]!.matchAll(/'([A-Za-z]+)'/g)) fields.add(name[1]!);
    for (const name of ['timeTypeId', 'careTypeId', 'performer', 'resourceId']) fields.add(name);
    assert.ok(fields.size > 30, 'found the field lists');
    const missing = [...fields].filter((f) => !doc.includes(`\`${f}\``));
    assert.deepEqual(missing, []);
  });
});
