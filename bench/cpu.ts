/**
 * CPU time spent by a server process and by the load generator during one
 * measurement. Requests per second alone cannot say which side ran out of
 * CPU: on two cores the load generator can be the limit (it is for the raw
 * ceiling), and then the server's CPU time per request is the figure that
 * compares servers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** User + system CPU time of a process and all its threads, in ms; undefined off Linux. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export interface CpuShare {
  /** The server's CPU time per answered request, in µs. */
  readonly serverMicrosPerRequest: number;
  /** The server's CPU time over wall time (1 = one core all the time). */
  readonly serverBusy: number;
  /** The same for the runner's process, where the load generator runs. */
  readonly generatorBusy: number;
}

/** Measures `run` (which answers how many requests it made) for the server `pid`. */
export async function withCpuShare<T extends { requests: number }>(
  pid: number,
  run: () => Promise<T>,
): Promise<{ result: T; cpu?: CpuShare }> {
  const serverBefore = processCpuMs(pid);
  const generatorBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await run();
  const wallMs = performance.now() - startedAt;
  const serverAfter = processCpuMs(pid);
  const generator = process.cpuUsage(generatorBefore);
  if (serverBefore === undefined || serverAfter === undefined || result.requests === 0)
    return { result };
  const serverMs = serverAfter - serverBefore;
  return {
    result,
    cpu: {
      serverMicrosPerRequest: (serverMs * 1000) / result.requests,
      serverBusy: serverMs / wallMs,
      generatorBusy: (generator.user + generator.system) / 1000 / wallMs,
    },
  };
}
