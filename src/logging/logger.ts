/**
 * Structured JSON logs (pino). Every string that reaches a log line passes
 * through a personnummer mask, so a person id that slips into a message, an
 * error or a header value is never written in clear.
 */
import { pino, type Logger } from 'pino';
import { maskPersonIdsInText } from '../domain/personnummer.ts';

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonIdsInText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error)
    return { type: value.name, message: maskPersonIdsInText(value.message) };
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  // Keys rather than entries: one log line per request, and no pair arrays to build for it.
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value))
    out[k] = maskDeep((value as Record<string, unknown>)[k], depth + 1);
  return out;
}

export interface LoggerOptions {
  readonly level?: string;
  /** Where lines go; defaults to stdout, buffered (see {@link bufferedStdout}). */
  readonly destination?: pino.DestinationStream;
}

/**
 * Standard output, written in batches of at least 4 KiB and at least once a
 * second, and flushed synchronously when the process exits. One write per
 * request line, handed to libuv's thread pool, cost about as much CPU as the
 * rest of a GetAvailableTimeslots answer (docs/benchmarks.md); a batch holds
 * about ten request lines. What a batch risks is the last second of lines
 * if the process is killed outright (SIGKILL, power loss).
 */
export function bufferedStdout(): pino.DestinationStream {
  return pino.destination({ dest: 1, minLength: 4096, periodicFlush: 1000, sync: false });
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      base: { service: 'tidbok' },
      formatters: { log: (object) => maskDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPersonIdsInText(a) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
      // Stack traces stay out of logs too: they can carry request data.
      serializers: { err: (err: Error) => ({ type: err.name, message: err.message }) },
    },
    options.destination ?? bufferedStdout(),
  );
}

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });

export type { Logger };
