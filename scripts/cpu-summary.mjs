#!/usr/bin/env node
// Summarises a V8 CPU profile (node --cpu-prof): the functions with the most self time.
// Usage: node scripts/cpu-summary.mjs FILE.cpuprofile [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]);
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^file:\/\/.*?\/(node_modules|src|bench|test)\//, '$1/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
}
const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25));
console.log(`total ${(totalUs / 1e6).toFixed(1)} s sampled`);
for (const [k, us] of rows) console.log(`${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
