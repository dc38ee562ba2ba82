/**
 * Checks over every exchange of the run, made once all other checks are
 * done: each operation's answers validate, faults travel as HTTP 500 SOAP
 * 1.1 faults, every ERROR has a text, every time is a real local time, and
 * answers come in time.
 */
import { checkDt, checkTs, isInDstGap } from '../domain/local-time.ts';
import type { SoapExchange } from '../soap-client/soap-client.ts';
import { checks, schemaCheck } from './check-catalogue.ts';
import { evidenceOf, type VerifyContext } from './verify-context.ts';

const TIME_FIELDS = new Set(['startTimeInclusive', 'endTimeExclusive']);
const DATE_FIELDS = new Set(['date']);

/** Every (field, value) pair of a leniently read answer, at any depth. */
function* values(node: unknown, field = ''): Generator<[string, string]> {
  if (typeof node === 'string') yield [field, node];
  else if (Array.isArray(node)) for (const item of node) yield* values(item, field);
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) yield* values(value, key);
}

function timeProblem(exchange: SoapExchange): string | undefined {
  for (const [field, value] of values(exchange.lenient)) {
    if (TIME_FIELDS.has(field)) {
      const problem = checkTs(value);
      if (problem) return `${exchange.operation}: ${field} '${value}' ${problem}`;
      if (isInDstGap(value))
        return `${exchange.operation}: ${field} ${value} falls in the spring DST gap, a time that does not exist in Sweden`;
    } else if (DATE_FIELDS.has(field)) {
      const problem = checkDt(value);
      if (problem) return `${exchange.operation}: ${field} '${value}' ${problem}`;
    }
  }
  return undefined;
}

function faultTransportProblem(exchange: SoapExchange): string | undefined {
  if (exchange.fault) {
    if (exchange.status !== 500)
      return `${exchange.operation} answered a SOAP Fault with HTTP ${exchange.status}; the platform passes on only HTTP 500 faults`;
    if (!/^text\/xml\b/i.test(exchange.contentType ?? ''))
      return `${exchange.operation} answered a SOAP Fault as ${exchange.contentType ?? 'no Content-Type'}, not text/xml`;
  } else if (exchange.status === 500)
    return `${exchange.operation} answered HTTP 500 without a SOAP 1.1 Fault`;
  return undefined;
}

function errorTextProblem(exchange: SoapExchange): string | undefined {
  const answer = exchange.lenient as { resultCode?: string; resultText?: string } | undefined;
  if (answer?.resultCode === 'ERROR' && !answer.resultText?.trim())
    return `${exchange.operation} answered resultCode=ERROR without a resultText`;
  return undefined;
}

/** Records one check from the first exchange `problemOf` finds fault with. */
function firstProblem(
  ctx: VerifyContext,
  check: Parameters<VerifyContext['record']>[0],
  exchanges: readonly SoapExchange[],
  problemOf: (exchange: SoapExchange) => string | undefined,
): void {
  for (const exchange of exchanges) {
    const problem = problemOf(exchange);
    if (problem) return ctx.record(check, problem, [evidenceOf(problem, exchange)]);
  }
  ctx.record(check, undefined);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/** Runs the checks over `exchanges`, in the order they were made. */
export function checkExchanges(ctx: VerifyContext, exchanges: readonly SoapExchange[]): void {
  const operations = [...new Set(exchanges.map((e) => e.operation))].sort();
  for (const operation of operations)
    firstProblem(
      ctx,
      schemaCheck(operation),
      exchanges.filter((e) => e.operation === operation),
      (e) =>
        e.transportError
          ? `no answer: ${e.transportError}`
          : e.schemaErrors.length > 0
            ? `an answer does not validate: ${e.schemaErrors[0]}`
            : undefined,
    );
  firstProblem(ctx, checks.faultHttp, exchanges, faultTransportProblem);
  firstProblem(ctx, checks.errorText, exchanges, errorTextProblem);
  firstProblem(ctx, checks.timesFormat, exchanges, timeProblem);

  const answered = exchanges.filter((e) => !e.transportError);
  const durations = answered.map((e) => e.durationMs).sort((a, b) => a - b);
  const p95 = percentile(durations, 0.95);
  const slowest = answered.reduce<SoapExchange | undefined>(
    (max, e) => (!max || e.durationMs > max.durationMs ? e : max),
    undefined,
  );
  const timedOut = exchanges.find(
    (e) => e.transportError && /no answer within/.test(e.transportError),
  );
  ctx.record(
    checks.latency,
    timedOut
      ? `${timedOut.operation} did not answer: ${timedOut.transportError}`
      : slowest && slowest.durationMs >= 27_000
        ? `${slowest.operation} took ${Math.round(slowest.durationMs)} ms; the platform gives up at 27 s`
        : p95 >= 3_000
          ? `95 % of answers came within ${Math.round(p95)} ms, not 3 s`
          : undefined,
    slowest
      ? [evidenceOf(`the slowest answer, ${Math.round(slowest.durationMs)} ms`, slowest)]
      : [],
  );
}

/** Answer-time figures for the report. */
export function timingOf(exchanges: readonly SoapExchange[]) {
  const durations = exchanges
    .filter((e) => !e.transportError)
    .map((e) => e.durationMs)
    .sort((a, b) => a - b);
  return {
    exchanges: exchanges.length,
    p95Ms: Math.round(percentile(durations, 0.95)),
    maxMs: Math.round(durations[durations.length - 1] ?? 0),
  };
}
