/**
 * Summarise a V8 .cpuprofile (node --cpu-prof): self time per function (name, file, line),
 * as a share of busy time ((idle) excluded), as a Markdown table.
 *
 *   node dist/bench/push/profile-summary.js <file.cpuprofile> [top=25]
 */

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

function where(cf: CallFrame): string {
  let url = cf.url;
  if (url.startsWith('file://')) {
    try {
      url = relative(process.cwd(), fileURLToPath(url));
    } catch {
      // keep as is
    }
  }
  url = url.replace(/^.*node_modules\//, '');
  return url === '' ? '' : `${url}:${cf.lineNumber + 1}`;
}

/** A window in the profile's clock (CLOCK_MONOTONIC microseconds, as process.hrtime). */
export interface Window {
  readonly fromUs: number;
  readonly toUs: number;
}

export function summariseProfile(p: CpuProfile, top = 25, window?: Window): string {
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const self = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  let at = p.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    // The delta before sample i+1 is the time sample i stood for.
    const dt = deltas[i + 1] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const n = byId.get(samples[i]!);
    if (!n) continue;
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    const key = `\`${cf.functionName || '(anonymous)'}\`${where(cf) ? ` ${where(cf)}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const out = [
    `Busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s` +
      (window ? ` in the ${((window.toUs - window.fromUs) / 1e6).toFixed(1)} s window summarised` : ` of ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s profiled`) +
      '.',
    '',
    '| self % of busy | self s | function | where |',
    '| --- | --- | --- | --- |',
  ];
  for (const [k, t] of rows) {
    const sp = k.lastIndexOf('` ');
    const fn = sp < 0 ? k : k.slice(0, sp + 1);
    const loc = sp < 0 ? '' : k.slice(sp + 2);
    out.push(`| ${((100 * t) / busy).toFixed(1)} | ${(t / 1e6).toFixed(2)} | ${fn} | ${loc} |`);
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: profile-summary <file.cpuprofile> [top]');
    process.exit(1);
  }
  console.log(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(process.argv[3] ?? 25)));
}
