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
