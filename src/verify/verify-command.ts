/**
 * `tidbok verify <producer base URL> --facility <hsa-id>`: runs the
 * conformance checks against any crm:scheduling 1.1 producer and prints the
 * report; exit status 0 only when every check passed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkSubjectOfCareId } from '../domain/personnummer.ts';
import { CliError } from '../cli/command.ts';
import { defineCommand } from '../cli/define-command.ts';
import type { ClientTls } from '../soap-client/soap-client.ts';
import { readVerifyConfigFile } from './verify-config-file.ts';

/** The Skatteverket test person 1177's own test environments use. */
export const DEFAULT_SUBJECT_OF_CARE = '191212121212';

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number`, 2);
  return n;
}

function readTls(
  files: { cert?: string | undefined; key?: string | undefined; ca?: string | undefined },
  folder: string,
): ClientTls | undefined {
  const read = (file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(resolve(folder, file));
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const cert = read(files.cert);
  const key = read(files.key);
  const ca = read(files.ca);
  if (!cert && !key && !ca) return undefined;
  return { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
}

export const verifyCommand = defineCommand({
  name: 'verify',
  usage:
    '<producer base URL> --facility <hsa-id> [--subject-of-care <pnr>] [--time-type <id>] ' +
    '[--read-only] [--race <n>] [--days <n>] [--report <file.html>] [--json] [--config <file>] ' +
    '[--cert <pem>] [--key <pem>] [--ca <pem>] [--timeout <ms>]',
  summary: 'Check that a crm:scheduling 1.1 producer (any, not only tidbok) keeps the contracts.',
  about: [
    'Plays MVK against the producer: reference data, availability, MakeBooking, GetBookingDetails,',
    'GetSubjectOfCareSchedule, UpdateBooking, CancelBooking, retries, races and bad input, and',
    'checks every answer against the contract schemas. Each check is listed under the rivta-spec',
    'must-have it proves; see docs/verify.md for the list. A normal run books and cancels every',
    'booking it made, also when checks fail; --read-only books nothing (for production).',
  ],
  options: {
    facility: {
      type: 'string',
      arg: 'hsa-id',
      help: 'the unit to test (LogicalAddress and healthcare_facility)',
    },
    'subject-of-care': {
      type: 'string',
      arg: 'pnr',
      help: `the patient, 12 digits (default ${DEFAULT_SUBJECT_OF_CARE}, a test person)`,
    },
    'time-type': { type: 'string', arg: 'id', help: 'book only slots of this time type' },
    'read-only': { type: 'boolean', help: 'skip everything that books' },
    race: {
      type: 'string',
      arg: 'n',
      help: 'also book one slot with n parallel MakeBookings (n ≥ 2)',
    },
    days: {
      type: 'string',
      arg: 'n',
      help: 'look for free slots this many days ahead (default 14)',
    },
    report: { type: 'string', arg: 'file.html', help: 'write an HTML report with the evidence' },
    json: { type: 'boolean', help: 'print one JSON document instead of the text report' },
    config: {
      type: 'string',
      arg: 'file',
      help: 'JSON: baseUrl, endpoints per operation, tls files',
    },
    cert: {
      type: 'string',
      label: '--cert, --key, --ca <pem>',
      help: 'client certificate, its key, and the CA to trust (mutual TLS)',
    },
    key: { type: 'string' },
    ca: { type: 'string' },
    timeout: {
      type: 'string',
      arg: 'ms',
      help: 'give up on an answer after this long (default 30000)',
    },
  },
  notes: ['Exit status: 0 when every check passed, 1 when one failed, 2 for wrong usage.'],
  positionals: true,
  async run({ values, positionals }, io) {
    const config = values.config !== undefined ? readVerifyConfigFile(values.config) : undefined;
    if (positionals.length > 1) throw new CliError('give one producer base URL', 2);
    const baseUrl = positionals[0] ?? config?.baseUrl;
    if (!baseUrl) throw new CliError('give the producer base URL (or baseUrl in --config)', 2);
    if (!URL.canParse(baseUrl)) throw new CliError(`${baseUrl} is not a URL`, 2);
    if (!values.facility) throw new CliError('--facility <hsa-id> is required', 2);
    const subjectOfCare = values['subject-of-care'] ?? DEFAULT_SUBJECT_OF_CARE;
    const personProblem = checkSubjectOfCareId(subjectOfCare);
    if (personProblem) throw new CliError(`--subject-of-care ${personProblem}`, 2);

    const tls = readTls(
      {
        cert: values.cert ?? config?.tls?.cert,
        key: values.key ?? config?.tls?.key,
        ca: values.ca ?? config?.tls?.ca,
      },
      values.cert || values.key || values.ca ? process.cwd() : (config?.folder ?? process.cwd()),
    );
    // Loaded on use: the checks bring libxml2 (WebAssembly), which no other command needs.
    const [{ verifyProducer }, { htmlReport }, { tally, textReport }] = await Promise.all([
      import('./verify-producer.ts'),
      import('./html-report.ts'),
      import('./text-report.ts'),
    ]);
    const report = await verifyProducer({
      client: {
        baseUrl,
        ...(config?.endpoints ? { endpoints: config.endpoints as Record<string, string> } : {}),
        ...(tls ? { tls } : {}),
        timeoutMs: positiveInteger(values.timeout, 'timeout', 30_000),
      },
      facility: values.facility,
      subjectOfCare,
      ...(values['time-type'] !== undefined ? { timeTypeId: values['time-type'] } : {}),
      readOnly: values['read-only'] ?? false,
      race: positiveInteger(values.race, 'race', 0),
      days: positiveInteger(values.days, 'days', 14),
    });

    if (values.report !== undefined) writeFileSync(values.report, htmlReport(report));
    if (values.json) {
      io.out(JSON.stringify(report, null, 2));
      io.err(tally(report));
    } else {
      for (const line of textReport(report)) io.out(line);
    }
    return report.failed === 0 ? 0 : 1;
  },
});
