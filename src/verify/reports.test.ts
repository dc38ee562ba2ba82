import assert from 'node:assert/strict';
import { it } from 'node:test';
import { htmlReport } from './html-report.ts';
import { textReport } from './text-report.ts';
import type { VerifyReport } from './verify-producer.ts';

const hostile = '<script>alert(1)</script>\u001b[2J "quoted" & more';

const report: VerifyReport = {
  producer: 'http://producer.test',
  facility: 'SE2321000016-1hz5',
  subjectOfCare: '19121212-****',
  readOnly: false,
  startedAt: '2026-12-06T15:00:00.000Z',
  durationMs: 4200,
  passed: 1,
  failed: 1,
  checks: [
    { id: 'wsdl', mustHave: 1, title: 'contract documents', passed: true },
    {
      id: 'error-has-text',
      mustHave: 10,
      title: 'every ERROR has a text',
      passed: false,
      reason: `the producer said ${hostile}`,
      evidence: [
        {
          label: 'MakeBooking',
          exchange: {
            operation: 'MakeBooking',
            url: 'http://producer.test/crm/scheduling/MakeBooking/1/rivtabp21',
            status: 200,
            request: '<req/>',
            response: `<resultText>${hostile}</resultText>`,
            schemaErrors: [hostile],
          },
        },
      ],
    },
  ],
  notes: [],
  timing: { exchanges: 2, p95Ms: 12, maxMs: 15 },
};

it('the text report keeps control characters from the producer off the terminal and ends with the tally', () => {
  const lines = textReport(report);
  assert.ok(!lines.some((l) => l.includes('\u001b')), 'no escape sequence');
  assert.ok(lines.includes('  ✘ error-has-text: every ERROR has a text'));
  assert.ok(lines.includes('  ✔ wsdl: contract documents'));
  assert.equal(lines.at(-1), '1 passed, 1 failed');
});

it('the HTML report escapes everything the producer sent, evidence included', () => {
  const html = htmlReport(report);
  assert.doesNotMatch(html, /<script|<resultText|<req\/>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /&lt;resultText&gt;/);
  assert.match(html, /1 passed, 1 failed<\/p><\/body><\/html>\n$/);
});
