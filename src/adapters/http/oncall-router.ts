/** The on-call API: who is on call, overrides, cover requests, organisation reload and diff (issue 15). */
import express from 'express';
import type { Request, Response, Router } from 'express';
import { z } from 'zod/v4';
import type { AppDeps } from '../../app/deps.js';
import { cancelCover, requestCover, takeCover } from '../../app/use-cases/oncall/cover.js';
import { orgDiff, reloadOrganisation } from '../../app/use-cases/oncall/org-admin.js';
import { cancelOverride, createOverride, listOverrides } from '../../app/use-cases/oncall/overrides.js';
import { shiftsOf, whoIsOnCall } from '../../app/use-cases/oncall/who.js';
import { DomainError } from '../../domain/errors.js';
import { allow, actorOf } from './auth.js';

type Handler = (req: Request, res: Response) => Promise<void>;
const h = (fn: Handler) => (req: Request, res: Response, next: (e?: unknown) => void) => fn(req, res).catch(next);
const when = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const overrideBody = z.strictObject({ team: z.string().min(1).max(64), person: z.string().min(1).max(64), from: when, to: when, layer: z.string().max(64).optional(), reason: z.string().max(500).optional() });
const coverBody = z.strictObject({ team: z.string().min(1).max(64), from: when, to: when, layer: z.string().max(64).optional() });

export function oncallRouter(deps: AppDeps): Router {
  const r = express.Router();
  const atOf = (req: Request) => {
    const v = req.query.at;
    if (v === undefined || v === '') return deps.clock.now();
    const d = typeof v === 'string' ? new Date(v) : new Date(NaN);
    if (Number.isNaN(d.getTime())) throw new DomainError('VALIDATION', 'at: not a date-time (ISO 8601)', { field: 'at' });
    return d;
  };
  const team = (req: Request) => (typeof req.query.team === 'string' && req.query.team ? req.query.team : null);

  r.get('/oncall', allow('directory:read'), h(async (req, res) => {
    const teams = whoIsOnCall(deps, { teamId: team(req), at: atOf(req) });
    res.json({ at: atOf(req), teams });
  }));
  r.get('/oncall/people/:id', allow('directory:read'), h(async (req, res) => {
    const p = deps.directory().person(String(req.params.id));
    if (!p) throw new DomainError('NOT_FOUND', `No person "${String(req.params.id).slice(0, 40)}".`);
    res.json({ person: p.id, shifts: shiftsOf(deps.directory(), p.id, atOf(req), 28) });
  }));
  r.get('/overrides', allow('directory:read'), h(async (req, res) => {
    res.json({ overrides: await listOverrides(deps, { teamId: team(req) }) });
  }));
  r.post('/overrides', h(async (req, res) => {
    const b = overrideBody.parse(req.body);
    const o = await createOverride(deps, { actor: actorOf(req.apiToken), teamId: b.team, personId: b.person, from: b.from, to: b.to, ...(b.layer ? { layer: b.layer } : {}), ...(b.reason ? { reason: b.reason } : {}) });
    res.status(201).json({ override: o });
  }));
  r.delete('/overrides/:id', h(async (req, res) => {
    res.json({ override: await cancelOverride(deps, { actor: actorOf(req.apiToken), id: String(req.params.id) }) });
  }));
  r.post('/covers', h(async (req, res) => {
    const b = coverBody.parse(req.body);
    const c = await requestCover(deps, { actor: actorOf(req.apiToken), teamId: b.team, from: b.from, to: b.to, ...(b.layer ? { layer: b.layer } : {}) });
    res.status(201).json(c);
  }));
  r.post('/covers/:id/take', h(async (req, res) => {
    res.json(await takeCover(deps, { actor: actorOf(req.apiToken), coverId: String(req.params.id) }));
  }));
  r.delete('/covers/:id', h(async (req, res) => {
    res.json({ cover: await cancelCover(deps, { actor: actorOf(req.apiToken), coverId: String(req.params.id).slice(0, 80) }) });
  }));
  r.get('/rotations/:id/timeline', allow('directory:read'), h(async (req, res) => {
    res.json({ events: await deps.oncall.events(String(req.params.id)) });
  }));
  r.get('/org/timeline', allow('admin'), h(async (_req, res) => {
    res.json({ events: await deps.oncall.events('org') });
  }));
  r.post('/org/diff', h(async (req, res) => {
    res.json({ diff: orgDiff(deps, actorOf(req.apiToken), () => deps.readOrgFile()) });
  }));
  r.post('/org/reload', h(async (req, res) => {
    res.json(await reloadOrganisation(deps, actorOf(req.apiToken), () => deps.readOrgFile()));
  }));
  return r;
}
