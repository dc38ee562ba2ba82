/**
 * `tidbok import <file>`: loads a care provider's calendar file into the
 * store. Safe to repeat: the same file on the same day changes nothing
 * (docs/calendar-format.md).
 */
import {
  DEFAULT_HORIZON_DAYS,
  expandCalendar,
  MAX_HORIZON_DAYS,
} from '../../calendar/expand-calendar.ts';
import { importCalendar } from '../../calendar/import-calendar.ts';
import type { ImportHooks, ImportReport } from '../../calendar/import-calendar.ts';
import { readCalendarFile } from '../../calendar/read-calendar-file.ts';
import { instantToDt } from '../../domain/local-time.ts';
import type { CalendarStore } from '../../store/calendar-store.ts';
import { loadConfig } from '../../config/config.ts';
import { createStore } from '../../store/create-store.ts';
import { hooksThroughService } from '../../calendar/import-calendar-file.ts';
import { createServices } from '../../services.ts';
import { CliError } from '../command.ts';
import type { CliIo, Command } from '../command.ts';
import { jsonOption, printAnswer, redactUrl, storeOption } from '../common-options.ts';
import { defineCommand } from '../define-command.ts';

/** What `runImport` needs from outside; every field has a default. */
export interface ImportDeps {
  /**
   * Creates each invitation in the import's transaction. Default: the
   * scheduling service with the EI listener from the config, so each new
   * invitation queues its engagement-index create like any staff action.
   */
  readonly createInvitation?: ImportHooks['createInvitation'];
  /** Opens the store a URL names; default `createStore`. */
  readonly openStore?: (url: string) => CalendarStore;
  readonly now?: () => number;
}

/**
 * Reads, expands and imports the calendar file at `path` and prints the
 * report. Throws {@link CliError} or `CalendarFileError` for input the user
 * must fix.
 */
async function runImport(
  path: string,
  values: { readonly db?: string; readonly horizon?: number; readonly json?: boolean },
  deps: ImportDeps,
  io: CliIo,
): Promise<ImportReport> {
  const horizonDays = values.horizon ?? DEFAULT_HORIZON_DAYS;
  // The server's own settings (DATABASE_URL, else TIDBOK_DB; EI), so staff import into the store it serves.
  const config = loadConfig(io.env);
  const url = values.db ?? config.databaseUrl;

  const file = await readFile(path);
  const nowUtcMs = (deps.now ?? Date.now)();
  const todayDt = instantToDt(nowUtcMs);
  const imported = expandCalendar(file, { todayDt, nowUtcMs, horizonDays });

  const store = (deps.openStore ?? createStore)(url);
  let report: ImportReport;
  try {
    const hooks = hooksThroughService(
      createServices({ store, channels: config.channels, ...(deps.now ? { now: deps.now } : {}) })
        .service,
    );
    report = await importCalendar(store, imported, {
      ...hooks,
      ...(deps.createInvitation ? { createInvitation: deps.createInvitation } : {}),
    });
  } finally {
    await store.close();
  }

  printAnswer(io, values.json, report, (r) =>
    describeReport(r, { path, url: redactUrl(url), todayDt, horizonDays }),
  );
  return report;
}

function parseHorizon(value: string): number {
  const days = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(days >= 1 && days <= MAX_HORIZON_DAYS))
    throw new CliError(`--horizon must be a number of days from 1 to ${MAX_HORIZON_DAYS}`, 2);
  return days;
}

async function readFile(path: string) {
  try {
    return await readCalendarFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`no such file: ${path}`);
    if (code === 'EISDIR') throw new CliError(`${path} is a folder, not a calendar file`);
    if (code === 'EACCES') throw new CliError(`no permission to read ${path}`);
    throw err;
  }
}

const KINDS: readonly [Exclude<keyof ImportReport, 'webBooking'>, string][] = [
  ['facilities', 'facilities'],
  ['careTypes', 'care types'],
  ['timeTypes', 'time types'],
  ['performers', 'performers'],
  ['resources', 'resources'],
  ['timeslots', 'timeslots'],
  ['invitations', 'invitations'],
  ['patientIdentifiers', 'patient identifiers'],
];

/** The report as a person reads it: one line per kind, then the totals. */
export function describeReport(
  report: ImportReport,
  context: { path: string; url: string; todayDt: string; horizonDays: number },
): string[] {
  const width = Math.max(...KINDS.map(([, label]) => label.length));
  const lines = [
    `Imported ${context.path} into ${context.url} (templates cover ${context.horizonDays} days from ${context.todayDt}):`,
  ];
  let created = 0;
  let changed = 0;
  for (const [kind, label] of KINDS) {
    const c = report[kind];
    created += c.created;
    changed += c.changed;
    lines.push(
      `  ${label.padEnd(width)}  ${c.created} created, ${c.changed} changed, ${c.unchanged} unchanged`,
    );
  }
  lines.push(
    created + changed === 0
      ? 'No changes: the store already held this calendar.'
      : `${created} created, ${changed} changed. Nothing is ever deleted by an import.`,
  );
  const { switchedOn, switchedOff, queued } = report.webBooking;
  const queuedText = Object.entries(queued)
    .map(([channel, n]) => `${n} ${channel} message${n === 1 ? '' : 's'}`)
    .join(', ');
  if (switchedOn.length > 0)
    lines.push(
      `Switched on for web booking: ${switchedOn.join(', ')} (their current bookings are loaded online).`,
    );
  if (switchedOff.length > 0)
    lines.push(
      `Switched off for web booking: ${switchedOff.join(', ')} (their current bookings are taken offline).`,
    );
  if (switchedOn.length + switchedOff.length > 0)
    lines.push(`Queued for that: ${queuedText || 'nothing (no current bookings)'}.`);
  return lines;
}

/** The `import` command with its dependencies wired, e.g. the domain's invitation service. */
export function makeImportCommand(deps: ImportDeps = {}): Command {
  return defineCommand({
    name: 'import',
    usage: '<file> [--db <url>] [--horizon <days>] [--json]',
    summary: 'Load a calendar file (JSON) into the store; loading it again changes nothing.',
    about: [
      'Reads a calendar file (see docs/calendar-format.md), turns its weekly templates into',
      'timeslots for the coming days and writes everything in one transaction. Nothing is',
      'deleted; the same file on the same day changes nothing.',
    ],
    options: {
      ...storeOption('store to write: a SQLite path or sqlite: URL'),
      horizon: {
        type: 'string',
        arg: 'days',
        help: `how many days, today included, templates cover (default ${DEFAULT_HORIZON_DAYS})`,
        parse: parseHorizon,
      },
      ...jsonOption('the report'),
    },
    positionals: true,
    async run({ values, positionals }, io) {
      if (positionals.length !== 1)
        throw new CliError('give exactly one calendar file: tidbok import <file>', 2);
      await runImport(positionals[0]!, values, deps, io);
      return 0;
    },
  });
}

export const importCommand: Command = makeImportCommand();
