import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EscMetrics } from '../../src/adapters/ops/metrics.js';

const read = (f: string) => readFileSync(f, 'utf8');

describe('packaging: build, image, compose, Node versions', () => {
  it('the Dockerfile: Node 22 LTS slim, production dependencies only, non-root, a health check, node (not npm) as PID 1', () => {
    const d = read('Dockerfile');
    expect(d).to.match(/^FROM node:22-slim AS build$/m).and.match(/^FROM node:22-slim$/m);
    expect(d).to.match(/npm ci --omit=dev/);
    expect(d).to.match(/^USER node$/m);
    expect(d).to.match(/^HEALTHCHECK .*\n?.*\/readyz/m);
    expect(d).to.match(/^CMD \["node", "dist\/main.js"\]$/m);
  });

  it('compose.yaml: MongoDB 7 as a single-node replica set, and Esc with every variable of .env.example', () => {
    const c = parse(read('compose.yaml')) as { services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string> }> };
    expect(c.services.mongo!.image).to.equal('mongo:7');
    expect(c.services.mongo!.command).to.include('--replSet');
    const vars = read('.env.example').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]!);
    expect(vars.length).to.be.greaterThan(40);
    expect(Object.keys(c.services.esc!.environment!)).to.include.members(vars);
  });

  it('package.json: engines name Node 22 and 24; tsx is a development tool only; npm start runs the compiled code', () => {
    const p = JSON.parse(read('package.json')) as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
    expect(p.engines.node).to.match(/22/).and.match(/24/);
    expect(p.dependencies).to.not.have.property('tsx');
    expect(p.devDependencies).to.have.property('tsx');
    expect(read('scripts/start.mjs')).to.include("'dist/main.js'").and.not.include('tsx');
  });

  it('the compiled build does not load tsx or TypeScript sources', function () {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.js')) files.push(p);
      }
    };
    try {
      walk('dist');
    } catch {
      this.skip(); // not built (npm test builds it before mocha)
    }
    for (const f of files) expect(read(f), f).to.not.match(/from ['"]tsx|\.ts['"]\)/);
  });

  it('the sample Grafana dashboard (docs/) asks only for series Esc exports', async () => {
    const dash = read('docs/grafana-dashboard.json');
    const wanted = new Set([...dash.matchAll(/\b(esc_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, '')));
    const m = new EscMetrics();
    const have = new Set([...(await m.text()).matchAll(/^# TYPE (\S+)/gm)].map((x) => x[1]!));
    expect([...wanted].filter((n) => !have.has(n))).to.deep.equal([]);
    expect(wanted.size).to.be.greaterThan(10);
  });
});
