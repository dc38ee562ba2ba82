/** A real (masking) logger whose lines a test can read back. */
import { createLogger, type Logger } from '../../src/logging/logger.ts';

export interface CapturedLogs {
  readonly logger: Logger;
  /** Every line written so far, raw. */
  readonly lines: string[];
  /** The lines parsed as JSON. */
  entries(): Record<string, unknown>[];
}

export function captureLogs(level = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(line.trimEnd()) },
  });
  return {
    logger,
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
