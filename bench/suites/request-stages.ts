/**
 * Where one request's time goes, stage by stage, measured in-process (no
 * HTTP, no other process competing) on a copy of the seeded store: parsing
 * and decoding the request, the LogicalAddress check, the operation's data
 * path (with its store queries and local-time conversions broken out),
 * encoding the answer, and the log line. Each figure is the best of several
 * batches, so it shows cost rather than noise from the rest of the machine.
 *
 * The data path is shared with the node-soap baseline (it calls the same
 * handlers), so only the other stages can separate tidbok from it.
 */
import { copyFileSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ComplexType, Interaction } from '../../src/contracts/model.ts';
import { GetAvailableTimeslots, GetSubjectOfCareSchedule } from '../../src/contracts/scheduling.ts';
import { endOfDt, startOfDt } from '../../src/domain/local-time.ts';
import { SchedulingService } from '../../src/domain/scheduling-service.ts';
import type { CalendarView } from '../../src/store/calendar-store.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { AnyOperation } from '../../src/operations/operation.ts';
import { createOperations } from '../../src/operations/registry.ts';
import { RESPONSE_ENVELOPE, readEnvelope } from '../../src/soap/envelope.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { decodeComplex } from '../../src/xml/decode.ts';
import { encodeElementBytes, prefixesFor } from '../../src/xml/encode.ts';
import { parseXml } from '../../src/xml/parse.ts';
import * as soap from 'soap';
import { defined, fromSoapArgs, writeVariantContractFiles } from '../servers/node-soap-variant.ts';
import type { Suite } from '../suites.ts';
import { WORKLOADS } from '../workloads.ts';

/** Best per-call time in microseconds over `batches` batches of `n` calls. */
async function timeIt(n: number, fn: () => unknown, batches = 7): Promise<number> {
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) await fn();
    best = Math.min(best, (performance.now() - started) / n);
  }
  return best * 1000;
}

interface Stage {
  readonly name: string;
  readonly micros: number;
  /** Part of the stage above it, not added to the total. */
  readonly detail?: boolean;
  /** node-soap's SOAP layer: what it spends where tidbok spends the non-data-path stages. */
  readonly nodeSoap?: boolean;
  /** Shown for comparison, not part of the request measured: neither added nor given a share. */
  readonly aside?: boolean;
}

/** node-soap, serverless, on the variant WSDL, with a handler that answers `response` at once. */
async function nodeSoapLayer(
  interaction: Interaction,
  wsdl: { path: string; xml: string },
  response: unknown,
): Promise<soap.Server> {
  const name = interaction.name;
  let server: soap.Server | undefined;
  await new Promise<void>((resolve, reject) => {
    server = soap.listen(null as never, {
      path: interaction.path,
      services: {
        [`${name}ResponderService`]: {
          [`${name}ResponderPort`]: {
            [name]: async (args: Record<string, unknown>) => {
              fromSoapArgs(interaction.request, args);
              return defined(response);
            },
          },
        },
      },
      xml: wsdl.xml,
      uri: wsdl.path,
      suppressStack: true,
      callback: (err: unknown) => (err ? reject(err as Error) : resolve()),
    });
  });
  return server!;
}

async function stagesOf(
  operation: AnyOperation,
  /** What each request reads through (a request's view of the store, as the binding opens one). */
  calendarView: () => CalendarView,
  body: string,
  logFile: string,
  wsdl: { path: string; xml: string },
  details: (request: never) => Promise<Stage[]>,
  n: number,
  /**
   * The same operation over a service that reuses answers, timed as an aside,
   * with the view it reads through: one that can tell the calendar version,
   * or no answer would be reused.
   */
  reusing?: { readonly operation: AnyOperation; readonly calendarView: () => CalendarView },
): Promise<Stage[]> {
  const interaction: Interaction = operation.interaction;
  const decode = () => {
    const envelope = readEnvelope(parseXml(body));
    return {
      request: decodeComplex(interaction.request, envelope.body),
      address: envelope.logicalAddress!,
    };
  };
  const { request, address } = decode();
  const nowUtcMs = Date.now();
  const context = (view = calendarView) => ({
    logicalAddress: address,
    actor: undefined,
    nowUtcMs,
    correlationId: 'bench',
    calendar: view(),
  });
  const response = await operation.withTypes((op) => op.handle(request as never, context()));
  const prefixes = prefixesFor(interaction.response as ComplexType);
  // As the binding does it: down to the bytes that go to the socket.
  const encode = () =>
    encodeElementBytes(
      `${interaction.name}Response`,
      interaction.responderNs,
      interaction.response,
      response as never,
      prefixes,
      RESPONSE_ENVELOPE.head,
      RESPONSE_ENVELOPE.tail,
    );
  const logger = createLogger({ destination: pino.destination({ dest: logFile, sync: true }) });
  const line = {
    correlationId: '3f1c2a9e-8d7b-4c1e-9a2f-5b6d7e8f9a0b',
    operation: interaction.name,
    logicalAddress: address,
    durationMs: 1.23,
    status: 200,
  };
  const nodeSoap = await nodeSoapLayer(interaction, wsdl, response);
  const soapHeaders = {
    'content-type': 'text/xml; charset=utf-8',
    soapaction: `"${interaction.soapAction}"`,
  };
  const soapAnswer = await nodeSoap.processRequest(body, { headers: soapHeaders });
  if (soapAnswer.statusCode !== 200) throw new Error(`node-soap answered ${soapAnswer.statusCode}`);
  return [
    { name: 'parse + decode request', micros: await timeIt(n * 5, decode) },
    {
      name: 'operation handler (data path)',
      micros: await timeIt(n, () =>
        operation.withTypes((op) => op.handle(request as never, context())),
      ),
    },
    ...(await details(request as never)),
    ...(reusing
      ? [
          {
            name: 'aside: the same handler answering from the availability cache (a repeated search)',
            micros: await timeIt(n, () =>
              reusing.operation.withTypes((op) =>
                op.handle(request as never, context(reusing.calendarView)),
              ),
            ),
            aside: true,
          },
        ]
      : []),
    { name: 'encode answer (to UTF-8 bytes)', micros: await timeIt(n, encode) },
    {
      name: 'log line (pino, info)',
      micros: await timeIt(n * 10, () => logger.info(line, 'soap request')),
    },
    {
      name: 'node-soap instead: parse, dispatch, serialize the same answer',
      micros: await timeIt(n, () => nodeSoap.processRequest(body, { headers: soapHeaders })),
      nodeSoap: true,
    },
  ];
}

export const requestStages: Suite = {
  key: 'request-stages',
  title: 'Where a request’s time goes (in-process, per stage)',
  async run(context) {
    const file = join(context.workDir, 'calendar.db');
    copyFileSync(context.seedFile, file);
    const store = openSqliteStore(file);
    const service = new SchedulingService({ store });
    // The same store without calendarVersion: a service over it cannot reuse an
    // answer, so a repeated search is timed as a new one would be.
    const withoutVersion = new Proxy(store, {
      get: (target, key) =>
        key === 'calendarVersion'
          ? undefined
          : typeof target[key as keyof typeof target] === 'function'
            ? (target[key as keyof typeof target] as (...a: unknown[]) => unknown).bind(target)
            : target[key as keyof typeof target],
    });
    const searching = createOperations(new SchedulingService({ store: withoutVersion }), {
      version: 'bench',
      startedAtUtcMs: Date.now(),
      storeKind: 'sqlite',
    });
    const operations = createOperations(service, {
      version: 'bench',
      startedAtUtcMs: Date.now(),
      storeKind: 'sqlite',
    });
    const logFile = join(context.workDir, 'stages.log');
    openSync(logFile, 'a');
    const byName = (name: string) => operations.find((o) => o.interaction.name === name)!;
    const wsdls = writeVariantContractFiles(join(context.workDir, 'node-soap'));
    const wsdlOf = (name: string) => wsdls.get(name)!;
    const bodyOf = (key: string) =>
      WORKLOADS.find((w) => w.key === key)!.bodies(context.calendar)();
    const sections: [string, Stage[]][] = [];
    try {
      sections.push([
        'GetAvailableTimeslots',
        await stagesOf(
          searching.find((o) => o.interaction.name === GetAvailableTimeslots.name)!,
          () => withoutVersion,
          bodyOf('available-timeslots'),
          logFile,
          wsdlOf(GetAvailableTimeslots.name),
          async (r: {
            healthcare_facility: string;
            startDateInclusive: string;
            endDateInclusive: string;
            performer: string[];
            subject_of_care: string;
          }) => [
            {
              name: 'of which facility, time types, booking history',
              micros: await timeIt(300, async () => {
                await store.getFacility(r.healthcare_facility);
                await service.visibleTimeTypes(r.healthcare_facility, r.subject_of_care, false);
              }),
              detail: true,
            },
            {
              name: 'of which date range to instants (local-time)',
              micros: await timeIt(300, () => [
                startOfDt(r.startDateInclusive),
                endOfDt(r.endDateInclusive),
              ]),
              detail: true,
            },
            {
              name: 'of which free-slot query (store)',
              micros: await timeIt(300, () =>
                store.findFreeTimeslots({
                  facilities: [r.healthcare_facility],
                  fromUtcMs: startOfDt(r.startDateInclusive),
                  toUtcMs: endOfDt(r.endDateInclusive),
                  timeTypeIds: ['TT-LAK', 'TT-SSK', 'TT-PROV'],
                  performers: r.performer,
                  limit: 2000,
                }),
              ),
              detail: true,
            },
          ],
          300,
          { operation: byName(GetAvailableTimeslots.name), calendarView: () => store.view() },
        ),
      ]);
      sections.push([
        'GetSubjectOfCareSchedule, 1000 bookings',
        await stagesOf(
          byName(GetSubjectOfCareSchedule.name),
          () => store.view(),
          bodyOf('schedule-1000'),
          logFile,
          wsdlOf(GetSubjectOfCareSchedule.name),
          async (r: { healthcare_facility: string; subject_of_care: string }) => {
            const bookings = await store.listScheduleOfSubject(
              r.healthcare_facility,
              r.subject_of_care,
            );
            return [
              {
                name: 'of which listing the bookings (store)',
                micros: await timeIt(10, () =>
                  store.listScheduleOfSubject(r.healthcare_facility, r.subject_of_care),
                ),
                detail: true,
              },
              {
                name: 'of which describe() (names, flags)',
                micros: await timeIt(10, () => service.describe(bookings, r.healthcare_facility)),
                detail: true,
              },
            ];
          },
          10,
        ),
      ]);
    } finally {
      await store.close();
    }
    const fmt = (us: number) =>
      us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
    const lines = [
      `### ${this.title}`,
      '',
      'Best of 7 batches, one request at a time, in the runner’s process (no HTTP). ' +
        'Rows marked ↳ are part of the row above; an aside is not part of the request timed. ' +
        'A search is timed as a new one (no answer reused). The data path is the same code in tidbok and in the ' +
        'node-soap baseline, so only the other rows can tell them apart.',
    ];
    for (const [title, stages] of sections) {
      const handler = stages.find((x) => x.name.startsWith('operation handler'))!.micros;
      const ours = stages.filter((x) => !x.detail && !x.nodeSoap && !x.aside);
      const total = ours.reduce((a, x) => a + x.micros, 0);
      const soapLayer = stages.find((x) => x.nodeSoap)!.micros;
      lines.push(
        '',
        `**${title}**`,
        '',
        '| Stage | time | share of tidbok’s total |',
        '|---|--:|--:|',
      );
      for (const x of stages.filter((y) => !y.nodeSoap))
        lines.push(
          `| ${x.detail ? '&nbsp;&nbsp;↳ ' : ''}${x.name} | ${fmt(x.micros)} | ${x.aside ? '' : `${((x.micros / total) * 100).toFixed(0)} %`} |`,
        );
      lines.push(
        `| **tidbok, all stages** | **${fmt(total)}** | 100 % |`,
        `| node-soap’s SOAP layer (parse, dispatch, serialize the same answer) | ${fmt(soapLayer)} | |`,
        `| **node-soap, SOAP layer + the same data path** | **${fmt(soapLayer + handler)}** | |`,
        `| tidbok’s SOAP layer (all but the data path) vs node-soap’s | ${fmt(total - handler)} vs ${fmt(soapLayer)} | ${(soapLayer / (total - handler)).toFixed(1)}× less |`,
      );
    }
    return { markdown: lines.join('\n') };
  },
};
