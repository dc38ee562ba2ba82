/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and lists where the time
 * went: self time per function, and total (inclusive) time per source file,
 * so a missed target can be traced to code without a profiler UI.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time by function, largest first. */
  readonly functions: readonly { name: string; selfMs: number; share: number }[];
  /** Inclusive time by file (a file counted once per sample), largest first. */
  readonly files: readonly { file: string; totalMs: number; share: number }[];
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.search(/\/(src|bench|test)\//);
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '');
}

export function summariseProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id)!;
    const f = node.callFrame;
    // Shares are of busy time: a server waiting for requests is not where time goes.
    if (f.functionName === '(idle)') return;
    total += dt;
    const name = `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const file = shortUrl(byId.get(at)!.callFrame.url);
      if (seen.has(file)) continue;
      seen.add(file);
      inclusive.set(file, (inclusive.get(file) ?? 0) + dt);
    }
  });
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total,
    functions: sorted(self)
      .slice(0, top)
      .map(([name, ms]) => ({ name, selfMs: ms, share: ms / total })),
    files: sorted(inclusive)
      .slice(0, top)
      .map(([file, ms]) => ({ file, totalMs: ms, share: ms / total })),
  };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
  return [
    `CPU profile: ${(s.totalMs / 1000).toFixed(1)} s busy (idle left out)`,
    'Self time by function:',
    ...s.functions.map((f) => `  ${pct(f.share)}  ${f.name}`),
    'Inclusive time by file:',
    ...s.files.map((f) => `  ${pct(f.share)}  ${f.file}`),
  ].join('\n');
}
