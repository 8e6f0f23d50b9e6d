import express from 'express';
import type { Request, Response, Router } from 'express';
import { DomainError } from '../../domain/errors.js';
import { simulatePlan } from '../../domain/simulate.js';
import { planProblems } from '../../domain/plan.js';
import { planSchema, toPlan } from '../../config/org-schema.js';
import { requireTicketRef } from '../../domain/ticket-number.js';
import type { Ticket, TicketAction } from '../../domain/ticket.js';
import type { AppDeps } from '../../app/deps.js';
import { intakeAlert } from '../../app/use-cases/alerts.js';
import { elevateTicket, moveToTeam, notifyManagementChain } from '../../app/use-cases/escalations.js';
import { respondToNotification } from '../../app/use-cases/respond.js';
import { assignTicket, holdTicket, reopenTicket, resumeTicket } from '../../app/use-cases/ticket-work.js';
import { changeTicket, commentOnTicket, listTickets, openTicket, requireTicket, requireVisibleTicket, ticketTimeline } from '../../app/use-cases/tickets.js';
import type { ApiToken } from '../../config/env.js';
import { actorOf, allow, authenticate } from './auth.js';
import { escalationView, ticketView } from './views.js';
import { reportRouter } from './report-router.js';
import { majorRouter } from './major-router.js';
import { oncallRouter } from './oncall-router.js';
import { icalUrlRouter } from './ical-router.js';
import * as s from './schemas.js';

/** Accepts a ticket id, a number or ESC-1042. */
function refOf(raw: string): string | number {
  return /^[0-9a-f-]{36}$/i.test(raw) ? raw : requireTicketRef(raw);
}

type Handler = (req: Request, res: Response) => Promise<void>;
const h = (fn: Handler) => (req: Request, res: Response, next: (e?: unknown) => void) => fn(req, res).catch(next);

/** The JSON API under /api, authenticated by bearer tokens. */
export function apiRouter(deps: AppDeps, tokens: ApiToken[]): Router {
  const r = express.Router();
  r.use(authenticate(tokens));
  const now = () => deps.clock.now();
  const view = (t: Parameters<typeof ticketView>[0]) => ticketView(t, deps.directory(), now());

  r.post('/tickets', allow('tickets:write'), h(async (req, res) => {
    const body = s.createTicketBody.parse(req.body ?? {});
    const t = await openTicket(deps, { ...body, source: 'api' }, actorOf(req.apiToken));
    res.status(201).location(`/api/tickets/${t.number}`).json(view(t));
  }));

  r.get('/tickets', allow('tickets:read'), h(async (req, res) => {
    const q = s.listQuery.parse(req.query);
    const list = await listTickets(deps, { status: q.status, priority: q.priority, teamId: q.team?.split(','), assigneeId: q.assignee, escalated: q.escalated, elevated: q.elevated }, q.limit, q.skip, actorOf(req.apiToken));
    res.json({ tickets: list.map(view), limit: q.limit, skip: q.skip });
  }));

  r.get('/tickets/:ref', allow('tickets:read'), h(async (req, res) => {
    const t = await requireVisibleTicket(deps, refOf(String(req.params.ref)), actorOf(req.apiToken));
    const escalations = await deps.escalations.forTicket(t.id);
    res.json({ ...view(t), escalations: escalations.map(escalationView) });
  }));

  r.get('/tickets/:ref/timeline', allow('tickets:read'), h(async (req, res) => {
    const { ticket, events } = await ticketTimeline(deps, refOf(String(req.params.ref)), actorOf(req.apiToken));
    res.json({ ticket: view(ticket), events });
  }));

  for (const reply of ['acknowledge', 'resolve'] as const) {
    r.post(`/tickets/:ref/${reply}`, allow('tickets:act'), h(async (req, res) => {
      const body = s.noteBody.parse(req.body ?? {});
      const out = await respondToNotification(deps, { ticket: refOf(String(req.params.ref)), reply, actor: actorOf(req.apiToken), note: body.note });
      res.json({ changed: out.changed, message: out.message, ticket: view(out.ticket), escalation: out.escalation ? escalationView(out.escalation) : null });
    }));
  }

  r.post('/tickets/:ref/escalate', allow('tickets:escalate'), h(async (req, res) => {
    const body = s.escalateBody.parse(req.body ?? {});
    const out = await respondToNotification(deps, { ticket: refOf(String(req.params.ref)), reply: 'escalate', actor: actorOf(req.apiToken), toStep: body.step, note: body.reason });
    res.json({ changed: out.changed, message: out.message, ticket: view(await requireTicket(deps, out.ticket.id)), escalation: out.escalation ? escalationView(out.escalation) : null });
  }));

  const out2 = (o: { changed: boolean; ticket: Ticket }) => ({ changed: o.changed, ticket: view(o.ticket) });
  r.post('/tickets/:ref/actions', allow('tickets:act'), h(async (req, res) => {
    const body = s.actionBody.parse(req.body ?? {});
    const actor = actorOf(req.apiToken);
    const by = actor.personId ?? 'api';
    if (body.action === 'assign') {
      if (!body.assigneeId) throw new DomainError('VALIDATION', 'assigneeId: needed to assign', { field: 'assigneeId' });
      if (!deps.directory().person(body.assigneeId)) throw new DomainError('UNKNOWN_PERSON', `There is no person "${body.assigneeId}".`, { field: 'assigneeId' });
    }
    // Issue 16: assign, hold, resume and reopen go through their use cases (authorized there).
    const ref = refOf(String(req.params.ref));
    if (body.action === 'assign') return void res.json(out2(await assignTicket(deps, ref, body.assigneeId!, actor)));
    if (body.action === 'pend') return void res.json(out2(await holdTicket(deps, ref, body.reason ?? 'waiting on the customer', actor)));
    if (body.action === 'resume') return void res.json(out2(await resumeTicket(deps, ref, actor)));
    if (body.action === 'reopen') return void res.json(out2(await reopenTicket(deps, ref, body.reason ?? 'reopened', actor)));
    const action: TicketAction = { type: body.action, by };
    const out = await changeTicket(deps, refOf(String(req.params.ref)), () => action, actor);
    res.json({ changed: out.changed, ticket: view(out.ticket) });
  }));

  r.post('/tickets/:ref/comments', allow('tickets:write'), h(async (req, res) => {
    const body = s.commentBody.parse(req.body ?? {});
    res.status(201).json(await commentOnTicket(deps, refOf(String(req.params.ref)), body.text, actorOf(req.apiToken)));
  }));

  r.post('/tickets/:ref/elevate', allow('tickets:escalate'), h(async (req, res) => {
    const body = s.reasonBody.parse(req.body ?? {});
    const out = await elevateTicket(deps, refOf(String(req.params.ref)), actorOf(req.apiToken), body.reason);
    res.json({ changed: out.changed, ticket: view(out.ticket) });
  }));

  r.post('/tickets/:ref/move', allow('tickets:escalate'), h(async (req, res) => {
    const body = s.moveBody.parse(req.body ?? {});
    res.json({ ticket: view(await moveToTeam(deps, refOf(String(req.params.ref)), actorOf(req.apiToken), body.teamId, body.reason)) });
  }));

  r.post('/tickets/:ref/notify-management', allow('tickets:escalate'), h(async (req, res) => {
    const body = s.reasonBody.parse(req.body ?? {});
    const out = await notifyManagementChain(deps, refOf(String(req.params.ref)), actorOf(req.apiToken), body.reason);
    res.json({ ticket: view(out.ticket), notified: out.managerId });
  }));

  r.post('/alerts', allow('alerts:write'), h(async (req, res) => {
    const body = s.alertBody.parse(req.body ?? {});
    const out = await intakeAlert(deps, body, { personId: null, via: 'alert', name: body.source ?? req.apiToken?.name });
    res.status(out.created ? 201 : 200).json({ created: out.created, ticket: view(out.ticket) });
  }));

  r.get('/plans', allow('plans:read'), h(async (_req, res) => {
    res.json({ plans: deps.directory().org.plans });
  }));

  r.post('/plans/validate', allow('plans:read'), h(async (req, res) => {
    const dir = deps.directory();
    const parsed = planSchema.safeParse(req.body ?? {});
    const problems = parsed.success
      ? planProblems(toPlan(parsed.data), { person: (id) => !!dir.person(id), team: (id) => !!dir.team(id) })
      : parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(plan)'}: ${i.message}`);
    res.status(problems.length ? 422 : 200).json({ valid: problems.length === 0, problems });
  }));

  r.get('/plans/:id', allow('plans:read'), h(async (req, res) => {
    const plan = deps.directory().org.plans.find((p) => p.id === req.params.id);
    if (!plan) throw new DomainError('NOT_FOUND', `There is no plan "${String(req.params.id)}".`);
    res.json(plan);
  }));

  r.post('/plans/:id/simulate', allow('plans:read'), h(async (req, res) => {
    const body = s.simulateBody.parse(req.body ?? {});
    const dir = deps.directory();
    const plan = dir.org.plans.find((p) => p.id === req.params.id);
    if (!plan) throw new DomainError('NOT_FOUND', `There is no plan "${String(req.params.id)}". Plans: ${dir.org.plans.map((p) => p.id).join(', ')}.`);
    const teamId = body.teamId ?? dir.org.defaultTeamId;
    if (!dir.team(teamId)) throw new DomainError('UNKNOWN_TEAM', `There is no team "${teamId}".`, { field: 'teamId' });
    if (body.assigneeId && !dir.person(body.assigneeId)) throw new DomainError('UNKNOWN_PERSON', `There is no person "${body.assigneeId}".`, { field: 'assigneeId' });
    const sim = simulatePlan({ dir, plan, teamId, priority: body.priority, assigneeId: body.assigneeId ?? null, openedAt: body.start ? new Date(body.start) : now(), startAt: body.startAt });
    res.json(sim);
  }));

  r.get('/escalations/:id', allow('tickets:read'), h(async (req, res) => {
    const e = await deps.escalations.get(String(req.params.id));
    if (!e) throw new DomainError('NOT_FOUND', `There is no escalation "${String(req.params.id)}".`);
    res.json(escalationView(e));
  }));

  r.get('/outbox', allow('outbox:read'), h(async (req, res) => {
    const status = typeof req.query.status === 'string' ? (req.query.status.split(',') as never[]) : undefined;
    const ticket = typeof req.query.ticket === 'string' ? await requireTicket(deps, refOf(req.query.ticket)) : null;
    const list = await deps.deliveries.list({ status, ticketId: ticket?.id }, 200);
    res.json({ deliveries: list.map((d) => ({ ...d, notSent: d.status === 'outboxed' })) });
  }));

  r.get('/directory/people', allow('directory:read'), h(async (_req, res) => {
    res.json({ people: deps.directory().allPeople().map((p) => ({ id: p.id, name: p.name, email: p.email, roles: p.roles, managerId: p.managerId ?? null, timeZone: p.timeZone })) });
  }));

  r.get('/directory/teams', allow('directory:read'), h(async (req, res) => {
    const at = typeof req.query.at === 'string' ? new Date(req.query.at) : now();
    if (Number.isNaN(at.getTime())) throw new DomainError('VALIDATION', 'at: not a date-time (ISO 8601)', { field: 'at' });
    const dir = deps.directory();
    res.json({ teams: dir.allTeams().map((t) => ({ ...t, onCall: dir.onCall(t.id, at)?.id ?? null })) });
  }));

  r.use(majorRouter(deps)); // escalation requests and major escalations (issue 7)
  r.use(icalUrlRouter(deps)); // iCal feed URLs (issue 15)
  r.use(oncallRouter(deps)); // on-call, overrides, cover requests, org reload and diff (issue 15)
  r.use(reportRouter(deps)); // GET /reports, /reports.csv, /reports/chart.png, /tickets/:ref/history (issue 8)

  r.use((_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND', message: 'No such API route; see GET /openapi.json.' });
  });
  return r;
}
