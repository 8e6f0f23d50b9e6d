/** Problem cases linking the incidents. */
import { DomainError } from '../../../domain/errors.js';
import type { MajorEscalation } from '../../../domain/major.js';
import { PROBLEM_REUSE_MINUTES, problemKey, problemTitleKey } from '../../../domain/problem.js';
import type { ProblemRecord } from '../../../domain/problem.js';
import type { AppDeps } from '../../deps.js';
import type { Actor } from '../../ports/timeline.js';
import { actingPerson } from '../actors.js';
import { event } from '../ticket-access.js';
import { roomPost } from './room.js';
import { keyOf, MIN, mutate, requireMajor, requireNotClosed, requireTeam } from './support.js';
import type { MajorResult } from './support.js';

/** Refuses to link a second problem to the escalation without `replace`, naming the one linked. */
function problemConflict(m: MajorEscalation, linked: ProblemRecord | null): DomainError {
  const which = linked ? `problem ${problemKey(linked.number)} "${linked.title}"` : 'a problem';
  return new DomainError('CONFLICT', `The major escalation of ${m.ticketKey} is already linked to ${which}. To link another one instead, ask again with replace (API: "replace": true; chat: problem ${m.ticketKey} replace …).`, { field: 'problem', linkedProblem: linked ? problemKey(linked.number) : m.problemId });
}

/**
 * Creates a problem record (title) or links an existing one (PRB number) and relates the
 * incident to it. The same title again from the same ticket within PROBLEM_REUSE_MINUTES
 * reuses the record (a double click creates one). An escalation has one problem: linking
 * another refuses (CONFLICT, naming the linked one) unless `replace`.
 */
export async function linkProblem(deps: AppDeps, args: { ticket: string | number; problem: { number: number } | { title: string }; replace?: boolean; actor: Actor }): Promise<MajorResult & { problem: ProblemRecord }> {
  const pid = actingPerson(deps, args.actor, 'link a problem case');
  const { t, m } = await requireMajor(deps, args.ticket);
  requireNotClosed(m);
  requireTeam(deps, m, pid, 'link a problem case');
  const own = m.ticketId === t.id;
  const replace = args.replace === true;
  const linked = own && m.problemId ? await deps.problems.get(m.problemId) : null;
  let problem: ProblemRecord;
  let created = false;
  let major = m;
  let now = deps.clock.now();
  if ('number' in args.problem) {
    const found = await deps.problems.getByNumber(args.problem.number);
    if (!found) throw new DomainError('NOT_FOUND', `There is no problem ${problemKey(args.problem.number)}; give a title to create one.`, { field: 'number' });
    if (own && m.problemId && m.problemId !== found.id && !replace) throw problemConflict(m, linked);
    if (found.ticketIds.includes(t.id) && (!own || m.problemId === found.id)) return { ticket: t, major: m, changed: false, problem: found, message: `${keyOf(t)} is already related to ${problemKey(found.number)}; nothing changed.` };
    problem = (await deps.problems.relate(found.id, t.id))!;
    if (own && m.problemId !== problem.id) {
      const r = await mutate(deps, m.ticketId, (cur) => {
        if (cur.problemId === problem.id) return null;
        if (cur.problemId && cur.problemId !== linked?.id && !replace) throw problemConflict(cur, null);
        return { next: { ...cur, problemId: problem.id }, extra: null };
      });
      major = r.saved ?? r.m;
      now = r.now;
    }
  } else {
    const title = (args.problem.title ?? '').trim();
    if (!title) throw new DomainError('VALIDATION', 'title: name the problem, or give the number of an existing one.', { field: 'title' });
    if (title.length > 300) throw new DomainError('VALIDATION', 'title: at most 300 characters.', { field: 'title' });
    const key = problemTitleKey(t.id, title);
    const fresh = deps.newId();
    // The escalation record decides (compare-and-set): a second click sees the first's reservation and reuses it.
    const r = await mutate(deps, m.ticketId, (cur, _t, at) => {
      requireNotClosed(cur);
      const recent = cur.recentProblem;
      if (recent && recent.key === key && at.getTime() - new Date(recent.at).getTime() <= PROBLEM_REUSE_MINUTES * MIN) return null;
      if (own && cur.problemId && !replace) throw problemConflict(cur, cur.problemId === linked?.id ? linked : null);
      return { next: { ...cur, recentProblem: { key, problemId: fresh, at }, ...(own ? { problemId: fresh } : {}) }, extra: null };
    });
    major = r.saved ?? r.m;
    now = r.now;
    const id = r.saved ? fresh : r.m.recentProblem!.problemId;
    const reused = !r.saved;
    let rec = await deps.problems.get(id);
    if (!rec) {
      // Not stored yet: this call reserved it, or the one that did stopped (or is still under way) before storing it.
      const draft: ProblemRecord = { id, number: await deps.problems.nextNumber(), title, ownerId: major.members.find((x) => x.role === 'problem_owner')?.personId ?? null, ticketIds: [t.id], createdAt: now, createdBy: pid, status: 'open' };
      rec = (await deps.problems.insert(draft)) ? draft : await deps.problems.get(id);
    }
    problem = rec!;
    created = true;
    if (reused) {
      const k = `problem.linked:${problem.id}:${t.id}`;
      if ((await deps.timeline.existingKeys([k])).has(k)) {
        return { ticket: t, major, changed: false, problem, message: `${keyOf(t)} opened problem ${problemKey(problem.number)} "${problem.title}" a moment ago; the same record is kept (nothing changed).` };
      }
    }
  }
  const replaced = own && linked && linked.id !== problem.id ? linked : null;
  if (replaced) await deps.problems.unrelate(replaced.id, t.id);
  await deps.timeline.append([event(deps, t.id, 'problem.linked', now, args.actor, { majorId: m.id, problemId: problem.id, number: problem.number, created, title: problem.title, incidents: problem.ticketIds.length, ...(replaced ? { replaced: { problemId: replaced.id, number: replaced.number } } : {}) }, `problem.linked:${problem.id}:${t.id}`)]);
  const instead = replaced ? ` instead of ${problemKey(replaced.number)}` : '';
  await roomPost(deps, major, { text: `${keyOf(t)} ${created ? 'opened' : 'is related to'} problem ${problemKey(problem.number)}: ${problem.title} (${problem.ticketIds.length} incident${problem.ticketIds.length === 1 ? '' : 's'})${instead}.` });
  return { ticket: t, major, changed: true, problem, message: `${keyOf(t)} ${created ? 'opened problem' : 'is now related to problem'} ${problemKey(problem.number)} "${problem.title}" (${problem.ticketIds.length} incident${problem.ticketIds.length === 1 ? '' : 's'})${instead}.` };
}
