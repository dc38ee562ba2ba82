/**
 * The `--report` HTML page: every check with its evidence (requests,
 * answers, schema errors). One self-contained file: inline style, no script,
 * no remote assets; every text from the producer is escaped.
 */
import { escapeText } from '../xml/escape.ts';
import { groupByMustHave, groupTitle, tally } from './text-report.ts';
import type { Evidence } from './verify-context.ts';
import type { VerifyReport } from './verify-producer.ts';

const h = (text: string) => escapeText(text).replace(/"/g, '&quot;');

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #ccc}
.pass{color:#116329}.fail{color:#a40e26}li{margin:.3rem 0;list-style:none}
pre{background:#f5f5f5;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;font-size:12px}
details{margin:.3rem 0 .6rem 1.4rem}.reason{margin-left:1.4rem}.tally{font-weight:bold;margin-top:2rem}`;

function evidenceHtml(evidence: Evidence): string {
  const parts = [`<summary>${h(evidence.label)}</summary>`];
  if (evidence.detail) parts.push(`<p>${h(evidence.detail)}</p>`);
  const x = evidence.exchange;
  if (x) {
    parts.push(`<p>${h(x.operation)} at ${h(x.url)}: HTTP ${x.status}</p>`);
    if (x.transportError) parts.push(`<p>No answer: ${h(x.transportError)}</p>`);
    if (x.schemaErrors.length > 0)
      parts.push(`<p>Schema errors:</p><pre>${h(x.schemaErrors.join('\n'))}</pre>`);
    parts.push(
      `<p>Request:</p><pre>${h(x.request)}</pre>`,
      `<p>Answer:</p><pre>${h(x.response)}</pre>`,
    );
  }
  return `<details>${parts.join('')}</details>`;
}

/** The whole page. */
export function htmlReport(report: VerifyReport): string {
  const groups = groupByMustHave(report).map(([mustHave, checks]) => {
    const items = checks.map((c) => {
      const mark = c.passed ? '<span class="pass">✔</span>' : '<span class="fail">✘</span>';
      const failure = c.passed
        ? ''
        : `<div class="reason fail">${h(c.reason ?? '')}</div>${(c.evidence ?? []).map(evidenceHtml).join('')}`;
      return `<li id="${h(c.id)}">${mark} <code>${h(c.id)}</code> ${h(c.title)}${failure}</li>`;
    });
    return `<h2>${h(groupTitle(mustHave))}</h2><ul>${items.join('')}</ul>`;
  });
  const notes = report.notes.map((n) => `<li>${h(n)}</li>`).join('');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<title>tidbok verify: ${h(tally(report))}</title><style>${STYLE}</style></head><body>` +
    `<h1>tidbok verify ${h(report.producer)}</h1>` +
    `<p>Facility ${h(report.facility)}, patient ${h(report.subjectOfCare)}${report.readOnly ? ', read-only' : ''}; ` +
    `started ${h(report.startedAt)}, ${report.timing.exchanges} SOAP exchanges in ${(report.durationMs / 1000).toFixed(1)} s ` +
    `(p95 ${report.timing.p95Ms} ms, slowest ${report.timing.maxMs} ms).</p>` +
    groups.join('') +
    (notes ? `<h2>Notes</h2><ul>${notes}</ul>` : '') +
    `<p class="tally">${h(tally(report))}</p></body></html>\n`
  );
}
