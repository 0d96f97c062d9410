// Where a process's time went: a V8 .cpuprofile (node --cpu-prof) summed into self time per function
// (name, file and line), the heaviest first, with each one's share of the samples.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  /** `name file:line`, the file relative to the repository when it lies inside it. */
  fn: string;
  selfMs: number;
  /** Share of all samples, idle included, in percent. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time the process spent waiting (V8's "(idle)" node). */
  idleMs: number;
  top: ProfileEntry[];
}

const REPO = fileURLToPath(new URL('..', import.meta.url));

function where(frame: ProfileNode['callFrame']): string {
  let url = frame.url;
  if (url.startsWith('file://')) url = relative(REPO, fileURLToPath(url));
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return url === '' ? name : `${name} ${url}:${frame.lineNumber + 1}`;
}

/** Per profile node id, the µs of the samples taken in it (a sample's time is the delta to the next; the last gets none). */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? 0));
  return selfUs;
}

/** The `top` functions of one .cpuprofile by self time. */
export function summarizeCpuProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = selfTimes(profile);
  const byFunction = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') idleUs += us;
    const key = where(node.callFrame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const entries = [...byFunction.entries()]
    .filter(([fn]) => fn !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, selfMs: Math.round(us / 1000), percent: Number(((100 * us) / Math.max(1, totalUs)).toFixed(1)) }));
  return { file, totalMs: Math.round(totalUs / 1000), idleMs: Math.round(idleUs / 1000), top: entries };
}

/** The summary as text lines: one header, then one line per function. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const busy = summary.totalMs - summary.idleMs;
  const lines = [`${summary.file}: ${summary.totalMs} ms sampled, ${busy} ms busy (${summary.idleMs} ms idle)`];
  for (const e of summary.top) lines.push(`  ${String(e.selfMs).padStart(7)} ms ${e.percent.toFixed(1).padStart(5)}%  ${e.fn}`);
  return lines.join('\n');
}

/** Self time per source folder of the repository (`core/client`, `models/history`, …), Node's internals and V8's own entries (GC, idle) as named. */
export function selfTimeByFolder(file: string, depth = 2): Array<{ folder: string; selfMs: number; percent: number }> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFolder = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfTimes(profile)) {
    const frame = byId.get(id)!.callFrame;
    const url = frame.url.startsWith('file://') ? relative(REPO, fileURLToPath(frame.url)) : frame.url;
    const folder = url === '' ? frame.functionName : url.startsWith('node:') ? 'node internals' : url.split('/').slice(0, depth).join('/');
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + us);
    totalUs += us;
  }
  return [...byFolder.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([folder, us]) => ({ folder, selfMs: Math.round(us / 1000), percent: Number(((100 * us) / Math.max(1, totalUs)).toFixed(1)) }));
}
