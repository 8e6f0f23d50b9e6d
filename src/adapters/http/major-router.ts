import express from 'express';
import type { Request, Response, Router } from 'express';
import { z } from 'zod/v4';
import type { AppDeps } from '../../app/deps.js';
import { claimRequest, engageOwner, informManager, markReviewed, requestEscalation, requestForTicket, sendEta } from '../../app/use-cases/coordination.js';
import type { RequestResult } from '../../app/use-cases/coordination.js';
import { addTask, afterActionReport, assignRole, closeTask, declareMajor, linkProblem, linkRecurrence, majorForTicket, postUpdate, recordSatisfaction } from '../../app/use-cases/major.js';
import type { MajorResult } from '../../app/use-cases/major.js';
import { requireTicket } from '../../app/use-cases/tickets.js';
import { DomainError } from '../../domain/errors.js';
import type { EscalationRequest } from '../../domain/coordination.js';
import type { MajorEscalation } from '../../domain/major.js';
import { MAJOR_ROLES, STATUS_TEXT } from '../../domain/major.js';
import { problemKey } from '../../domain/problem.js';
import { requireTicketRef } from '../../domain/ticket-number.js';
import { actorOf, allow } from './auth.js';
import { ticketView } from './views.js';

type Handler = (req: Request, res: Response) => Promise<void>;
const h = (fn: Handler) => (req: Request, res: Response, next: (e?: unknown) => void) => fn(req, res).catch(next);

function refOf(raw: string): string | number {
  return /^[0-9a-f-]{36}$/i.test(raw) ? raw : requireTicketRef(raw);
}

const text = (max: number, what: string) => z.string({ error: `${what}` }).trim().min(1, `must not be empty: ${what}`).max(max, `at most ${max} characters`);
const instant = z.string({ error: 'an ISO 8601 date-time with offset, e.g. 2026-11-24T15:00:00-08:00' }).datetime({ offset: true, message: 'an ISO 8601 date-time with offset, e.g. 2026-11-24T15:00:00-08:00' }).transform((s) => new Date(s));
const id = z.string().min(1).max(64);

const requestBody = z.strictObject({ reason: z.string().max(2000).default(''), urgency: z.enum(['normal', 'urgent']).default('normal') });
const empty = z.strictObject({}).default({});
const etaBody = z.strictObject({ eta: instant, message: text(2000, 'what the user should know') });
const messageBody = z.strictObject({ message: text(2000, 'the status to tell') });
const engageBody = z.strictObject({ ownerId: id.optional(), message: text(2000, 'what you ask of the service owner') });
const majorBody = z.strictObject({ reason: z.string().max(2000).default('') });
const roleBody = z.strictObject({ personId: id, role: z.enum(MAJOR_ROLES, { error: `one of ${MAJOR_ROLES.join(', ')}` }) });
const taskBody = z.strictObject({ title: text(300, 'what must be done'), ownerId: id, dueAt: instant });
const updateBody = z.strictObject({ text: text(4000, 'the update') });
const replaceFlag = z.boolean({ error: 'true to link this problem instead of the one already linked' }).default(false);
const problemBody = z.union([z.strictObject({ number: z.number().int().positive(), replace: replaceFlag }), z.strictObject({ title: text(300, 'the problem'), replace: replaceFlag })], { error: 'give {"number": 1000} to link an existing problem or {"title": "…"} to create one (add "replace": true to change the linked one)' });
const recurrenceBody = z.strictObject({ of: z.union([z.string().min(1).max(64), z.number().int().positive()]) });
const satisfactionBody = z.strictObject({ score: z.number().int().min(1, 'from 1 to 5').max(5, 'from 1 to 5'), comment: z.string().max(2000).optional() });
const aarSendBody = z.strictObject({}).default({});

export function requestView(r: EscalationRequest) {
  const { pending: _p, ...rest } = r; // the engine's unsent-messages bookkeeping, not part of the request
  return { ...rest, nextDueAt: rest.nextDueAt ?? null };
}

export function majorView(m: MajorEscalation) {
  const { nextWakeAt: _w, ...rest } = m;
  return { ...rest, statusText: STATUS_TEXT[m.status] };
}

/**
 * Issue 7 routes under /api: manager escalation requests (seed 000) and major escalations
 * (seed 001). The token's person is the actor; bodies are strict and validated by zod.
 */
export function majorRouter(deps: AppDeps): Router {
  const r = express.Router();
  const view = (t: Parameters<typeof ticketView>[0]) => ticketView(t, deps.directory(), deps.clock.now());
  const ref = (req: Request) => refOf(String(req.params.ref));
  const reqOut = (res: Response, out: RequestResult, status = 200) => res.status(status).json({ changed: out.changed, message: out.message, ticket: view(out.ticket), request: requestView(out.request) });
  const majOut = (res: Response, out: MajorResult, extra: Record<string, unknown> = {}, status = 200) => res.status(status).json({ changed: out.changed, message: out.message, ticket: view(out.ticket), major: majorView(out.major), ...extra });

  // Manager escalation requests (seed 000)
  r.post('/tickets/:ref/escalation-requests', allow('tickets:escalate'), h(async (req, res) => {
    const b = requestBody.parse(req.body ?? {});
    const out = await requestEscalation(deps, { ticket: ref(req), reason: b.reason, urgency: b.urgency, actor: actorOf(req.apiToken) });
    reqOut(res, out, out.changed ? 201 : 200);
  }));
  r.get('/tickets/:ref/escalation-requests', allow('tickets:read'), h(async (req, res) => {
    const out = await requestForTicket(deps, ref(req));
    if (!out) throw new DomainError('NOT_FOUND', 'This ticket has no escalation request.');
    res.json({ request: requestView(out) });
  }));
  r.post('/tickets/:ref/escalation-requests/claim', allow('tickets:escalate'), h(async (req, res) => {
    empty.parse(req.body ?? {});
    reqOut(res, await claimRequest(deps, { ticket: ref(req), actor: actorOf(req.apiToken) }));
  }));
  r.post('/tickets/:ref/escalation-requests/reviewed', allow('tickets:escalate'), h(async (req, res) => {
    empty.parse(req.body ?? {});
    reqOut(res, await markReviewed(deps, { ticket: ref(req), actor: actorOf(req.apiToken) }));
  }));
  r.post('/tickets/:ref/escalation-requests/eta', allow('tickets:escalate'), h(async (req, res) => {
    const b = etaBody.parse(req.body ?? {});
    reqOut(res, await sendEta(deps, { ticket: ref(req), eta: b.eta, message: b.message, actor: actorOf(req.apiToken) }));
  }));
  r.post('/tickets/:ref/escalation-requests/inform', allow('tickets:escalate'), h(async (req, res) => {
    const b = messageBody.parse(req.body ?? {});
    reqOut(res, await informManager(deps, { ticket: ref(req), message: b.message, actor: actorOf(req.apiToken) }));
  }));
  r.post('/tickets/:ref/escalation-requests/engage', allow('tickets:escalate'), h(async (req, res) => {
    const b = engageBody.parse(req.body ?? {});
    reqOut(res, await engageOwner(deps, { ticket: ref(req), ownerId: b.ownerId, message: b.message, actor: actorOf(req.apiToken) }));
  }));

  // Major escalations (seed 001)
  r.post('/tickets/:ref/major', allow('tickets:escalate'), h(async (req, res) => {
    const b = majorBody.parse(req.body ?? {});
    const out = await declareMajor(deps, { ticket: ref(req), reason: b.reason, actor: actorOf(req.apiToken) });
    majOut(res, out, { warRoomError: out.major.warRoomError }, out.changed && !out.major.warRoomError ? 201 : 200);
  }));
  r.get('/tickets/:ref/major', allow('tickets:read'), h(async (req, res) => {
    const t = await requireTicket(deps, ref(req));
    const m = await majorForTicket(deps, t.id);
    if (!m) throw new DomainError('NOT_FOUND', 'This ticket has no major escalation.');
    const problem = m.problemId ? await deps.problems.get(m.problemId) : null;
    res.json({ ticket: view(t), major: majorView(m), problem: problem ? { ...problem, key: problemKey(problem.number) } : null });
  }));
  r.post('/tickets/:ref/major/roles', allow('tickets:escalate'), h(async (req, res) => {
    const b = roleBody.parse(req.body ?? {});
    majOut(res, await assignRole(deps, { ticket: ref(req), personId: b.personId, role: b.role, actor: actorOf(req.apiToken) }));
  }));
  r.post('/tickets/:ref/major/tasks', allow('tickets:act'), h(async (req, res) => {
    const b = taskBody.parse(req.body ?? {});
    const out = await addTask(deps, { ticket: ref(req), title: b.title, ownerId: b.ownerId, dueAt: b.dueAt, actor: actorOf(req.apiToken) });
    majOut(res, out, { task: out.task }, 201);
  }));
  r.post('/tickets/:ref/major/tasks/:n/done', allow('tickets:act'), h(async (req, res) => {
    empty.parse(req.body ?? {});
    const n = Number(req.params.n);
    if (!Number.isInteger(n) || n < 1) throw new DomainError('VALIDATION', `n: "${String(req.params.n).slice(0, 20)}" is not a task number (1, 2, 3…).`, { field: 'n' });
    const out = await closeTask(deps, { ticket: ref(req), n, actor: actorOf(req.apiToken) });
    majOut(res, out, { task: out.task });
  }));
  r.post('/tickets/:ref/major/updates', allow('tickets:act'), h(async (req, res) => {
    const b = updateBody.parse(req.body ?? {});
    majOut(res, await postUpdate(deps, { ticket: ref(req), text: b.text, actor: actorOf(req.apiToken) }), {}, 201);
  }));
  r.post('/tickets/:ref/major/problem', allow('tickets:act'), h(async (req, res) => {
    const b = problemBody.parse(req.body ?? {});
    const { replace, ...problem } = b;
    const out = await linkProblem(deps, { ticket: ref(req), problem, replace, actor: actorOf(req.apiToken) });
    majOut(res, out, { problem: { ...out.problem, key: problemKey(out.problem.number) } }, out.changed && 'title' in problem ? 201 : 200);
  }));
  r.post('/tickets/:ref/major/recurrence', allow('tickets:act'), h(async (req, res) => {
    const b = recurrenceBody.parse(req.body ?? {});
    const of = typeof b.of === 'number' ? b.of : refOf(b.of);
    majOut(res, await linkRecurrence(deps, { ticket: ref(req), of, actor: actorOf(req.apiToken) }));
  }));
  r.post('/tickets/:ref/major/satisfaction', allow('tickets:write'), h(async (req, res) => {
    const b = satisfactionBody.parse(req.body ?? {});
    majOut(res, await recordSatisfaction(deps, { ticket: ref(req), score: b.score, comment: b.comment, actor: actorOf(req.apiToken) }));
  }));
  r.get('/tickets/:ref/major/aar.md', allow('tickets:read'), h(async (req, res) => {
    const out = await afterActionReport(deps, { ticket: ref(req), actor: actorOf(req.apiToken) });
    res.type('text/markdown; charset=utf-8').setHeader('content-disposition', `inline; filename="${out.fileName.replace(/\.pdf$/, '.md')}"`);
    res.send(out.markdown);
  }));
  r.get('/tickets/:ref/major/aar.pdf', allow('tickets:read'), h(async (req, res) => {
    const out = await afterActionReport(deps, { ticket: ref(req), actor: actorOf(req.apiToken) });
    res.type('application/pdf').setHeader('content-disposition', `inline; filename="${out.fileName}"`);
    res.send(out.pdf);
  }));
  r.post('/tickets/:ref/major/aar/send', allow('tickets:escalate'), h(async (req, res) => {
    aarSendBody.parse(req.body ?? {});
    const out = await afterActionReport(deps, { ticket: ref(req), actor: actorOf(req.apiToken), send: true });
    res.json({ fileName: out.fileName, bytes: out.pdf.length, sentTo: out.sentTo ?? [], delivery: 'email with the PDF (and the Markdown) attached; posted in the war room as a file', message: `The after-action report was posted in the war room and emailed to ${(out.sentTo ?? []).length} stakeholders.` });
  }));
  return r;
}
