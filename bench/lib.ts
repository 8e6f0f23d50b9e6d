import { readdirSync, readFileSync } from 'node:fs';

/** Shared bench helpers: JSON-line results and percentiles. */
export interface Result {
  name: string;
  value: number;
  unit: string;
  goal: string;
  pass: boolean;
}

const results: Result[] = [];

export function report(r: Result): void {
  results.push(r);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

export function allPassed(): boolean {
  return results.every((r) => r.pass);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function scale(full: number): number {
  const f = Number(process.env.BENCH_SCALE ?? '1');
  return Math.max(1, Math.round(full * f));
}

/** CPU time (user + system, ms) the local database server of MONGODB_URI has used so far; null when it is not a local process. */
export function dbCpuMs(): number | null {
  const port = process.env.MONGODB_URI ? new URL(process.env.MONGODB_URI).port : '';
  if (!port) return null;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`127.0.0.1:${port}`)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      // the process ended meanwhile
    }
  }
  return null;
}
