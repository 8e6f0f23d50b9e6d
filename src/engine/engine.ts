import { randomUUID } from 'node:crypto';
import { decideTick, isLive } from '../domain/escalation.js';
import type { EscalationState, StepFiring } from '../domain/escalation.js';
import { resolveStepTargets } from '../domain/targets.js';
import type { Ticket } from '../domain/ticket.js';
import { isOpen } from '../domain/ticket.js';
import type { AppDeps } from '../app/deps.js';
import type { StoredEscalation } from '../app/ports/escalations.js';
import { startEscalation, unstoredFirings } from '../app/use-cases/escalations.js';
import { event } from '../app/use-cases/tickets.js';
import type { Dispatcher } from './dispatcher.js';
import { buildFirings, materializeFirings } from './step-materializer.js';
import type { ClaimedFirings } from './step-materializer.js';
import { pool } from '../lib/pool.js';
import { ReportProjector } from './report-projector.js';
import { MajorTimers } from './major-timers.js';
import { syncTicketMessages } from './message-sync.js';
import { refreshHomes } from './home-refresh.js';
import { ShiftNotices } from './shift-notices.js';
import { TicketReactions } from './ticket-reactions.js';
import { TicketTimers } from './ticket-timers.js';
import { RequesterLevels } from './requester-levels.js';

export interface EngineOptions {
  /** Escalations advanced per pass. */
  batch: number;
  concurrency: number;
  /**
   * A pending firing older than this is re-materialised (its process died, or its pass failed).
   * At least the dispatcher's lease: a step pass sends its firings under its claim for that
   * long (Dispatcher.sendFresh), so a younger claim's firings may be on their way.
   */
  pendingStaleMs: number;
  /** An active escalation overdue by more than this is reported by the auditor. */
  auditGraceMs: number;
  /** How often the auditor runs. */
  auditEveryMs: number;
  /** The runner's module lane looks for firings to recover at most this often (runOnce: every pass). */
  recoverEveryMs?: number;
}

/** What the step lane learnt: work done, whether a full batch was due (go again at once), when the next known step falls due. */
export interface StepPass {
  work: number;
  busy: boolean;
  /** ms from now to the next step known to fall due; 0 when unknown (poll soon); null when none is known within the lookahead. */
  nextDueInMs: number | null;
}

const ENGINE = { personId: null, via: 'engine' } as const;

/**
 * The escalation engine: named, idempotent modules run each pass (as GoAlert does).
 * Safe to run in several processes at once: every state change is a compare-and-set and
 * every outbound row has an idempotency key.
 */
/** An incremental scan looks this far back before the previous pass, for writes that landed late. */
const SCAN_MARGIN_MS = 10_000;
/** Under sustained load the report rollups still refresh at least this often (wall clock). */
const REPORTS_MAX_WAIT_MS = 5_000;
/** Claims a recovery scan looks at, at most (it stores their firings queued: no sends in the pass). */
const RECOVER_BATCH = 2_000;
/** A due-time scan reads at most this many times; more means a burst, handled by the escalation query itself. */
const DUE_TIMES_LIMIT = 2_000;

export class Engine {
  private lastAudit = 0;
  /** The `now` of the previous escalation pass; null forces a full scan (start, clock jumps). */
  private lastDueScan: number | null = null;
  private lastAuditScan: number | null = null;
  private lastRecoverScan: number | null = null;
  private lastRecover = -Infinity;
  /** Whether the latest step pass took a full batch, and how many escalations the latest recovery stored: see modulesPass. */
  private lastStepBusy = false;
  private lastRecovered = 0;
  /** Due times (engine clock, ms) known from the last scan, soonest first; null when unknown. */
  private upcoming: number[] | null = null;
  /** When the latest escalation query began (engine clock). */
  private lastQueryAt = -Infinity;
  /** Escalations a step pass of this process is deciding, claiming and sending now. */
  private readonly firing = new Set<string>();
  /** Escalations claimed by a running pass whose firings it is still storing, wave by wave. */
  private readonly storing = new Set<string>();
  /**
   * Claims this process stored itself (escalation id -> version after the claim), so the
   * recovery scan does not look their step events up again and again while a burst's claims
   * stay in its window. Any later change bumps the version, which no longer matches.
   */
  private readonly storedHere = new Map<string, { version: number; at: number }>();
  /** The `reports` module: report rollups kept up to date on write (issue 8). */
  readonly reports: ReportProjector;
  private lastReports = 0;
  /** The `major` module: manager escalation requests and major escalations (issue 7). */
  readonly majorTimers: MajorTimers;
  /** The `ticket-reactions` module: what resolving or reopening a ticket owes its escalations (issue 12). */
  readonly ticketReactions: TicketReactions;
  /** The `ticket-timers` module: SLA warnings, resolution breaches, ack timeouts (issue 14). */
  readonly ticketTimers: TicketTimers;

  constructor(
    private readonly deps: AppDeps,
    private readonly dispatcher: Dispatcher,
    private readonly opts: EngineOptions,
  ) {
    this.reports = new ReportProjector(deps);
    this.majorTimers = new MajorTimers(deps);
    this.ticketReactions = new TicketReactions(deps);
    this.shiftNotices = new ShiftNotices(deps);
    this.ticketTimers = new TicketTimers(deps);
    this.requesterLevels = new RequesterLevels(deps);
  }

  /** The `requester-levels` module: the requester told when a plan step climbs a level (issue 14). */
  readonly requesterLevels: RequesterLevels;

  /** The `shift-notices` module: a DM at the start of each on-call shift, hand-off posts (issue 15). */
  readonly shiftNotices: ShiftNotices;

  /**
   * One pass of every module. Returns how much work it did (0 = idle). An aborted `signal`
   * (stopping, or the engine lease was lost) ends the pass early: nothing new is claimed or
   * handed to a provider, sends in flight finish and are recorded.
   */
  async runOnce(signal?: AbortSignal): Promise<number> {
    let work = 0;
    work += await this.slaModule();
    work += await this.recoverModule();
    if (signal?.aborted) return work;
    work += await this.escalationModule(signal);
    if (signal?.aborted) return work;
    return work + (await this.otherModules(signal));
  }

  /**
   * The runner's step lane: fires the steps due now, and says when the next known one falls
   * due, so the runner can sleep until exactly then (steps are not held back by the other
   * modules' work, nor by a polling period). With `scan`, first reads the due times of the
   * slots from the last pass to `lookaheadMs` ahead (one small indexed read): a step written
   * since (by another process, or straight to the database) is found, and the escalation
   * query runs only if something is due. Without `scan` (woken for a known due time) it goes
   * straight to the escalation query.
   */
  async stepPass(signal: AbortSignal | undefined, opts: { scan: boolean; lookaheadMs: number; onFullClaim?: () => void }): Promise<StepPass> {
    const now = this.deps.clock.now().getTime();
    let dueNow = true;
    if (opts.scan && this.lastDueScan !== null) {
      const times = await this.deps.escalations.dueTimes(this.lastDueScan - SCAN_MARGIN_MS, new Date(now + opts.lookaheadMs), DUE_TIMES_LIMIT);
      if (times) {
        const complete = times.length < DUE_TIMES_LIMIT;
        this.upcoming = complete ? times.filter((t) => t > now).sort((a, b) => a - b) : null;
        dueNow = !complete || times.some((t) => t <= now);
        // Nothing due up to now in the slots read: the next escalation query may start from here.
        if (!dueNow) this.lastDueScan = now;
      } else this.upcoming = null;
    }
    const work = dueNow && !signal?.aborted ? await this.escalationModule(signal, opts.onFullClaim) : 0;
    this.lastStepBusy = work >= this.opts.batch;
    return { work, busy: this.lastStepBusy, nextDueInMs: this.nextStepInMs() };
  }

  /** ms until the next step known to fall due; 0 when unknown (the last scan was cut short: poll); null when none is known within the lookahead. */
  nextStepInMs(): number | null {
    if (this.upcoming === null) return 0;
    const now = this.deps.clock.now().getTime();
    const next = this.upcoming.find((t) => t > now);
    return next === undefined ? null : next - now;
  }

  /** A step known from the last scan fell due after the latest escalation query began: a pass started now would find it, a running one will not. */
  knownDueSinceLastQuery(): boolean {
    const now = this.deps.clock.now().getTime();
    return this.upcoming?.some((t) => t > this.lastQueryAt && t <= now) ?? false;
  }

  /**
   * The runner's module lane: everything but firing steps (SLA breaches, recovery, tickets,
   * requests, majors, deliveries waiting for a retry, messages, homes, reports, the audit).
   * Recovery runs at most every `recoverEveryMs`: it looks for firings older than
   * `pendingStaleMs`, so running it on every pass only re-reads the same claims.
   */
  async modulesPass(signal?: AbortSignal): Promise<number> {
    let work = await this.slaModule();
    const now = this.deps.clock.now().getTime();
    // While steps come in full passes (a burst), every 5th time: each look re-reads the claims of
    // its overlap margin, thousands of escalations a second in a burst, to find nothing missing.
    const every = (this.opts.recoverEveryMs ?? 0) * (this.lastStepBusy && this.lastRecovered === 0 ? 5 : 1);
    if (now - this.lastRecover >= every || now < this.lastRecover) {
      this.lastRecover = now;
      this.lastRecovered = await this.recoverModule();
      work += this.lastRecovered;
    }
    if (signal?.aborted) return work;
    return work + (await this.otherModules(signal));
  }

  private async otherModules(signal?: AbortSignal): Promise<number> {
    let work = 0;
    work += await this.ticketReactions.runOnce();
    work += await this.ticketTimers.runOnce();
    work += await this.requesterLevels.runOnce();
    work += await this.majorTimers.runOnce();
    work += await this.shiftNotices.runOnce();
    work += await this.dispatcher.runOnce(signal);
    if (signal?.aborted) return work;
    work += await syncTicketMessages(this.deps); // `messages`: a ticket's messages follow it (issue 12)
    work += await refreshHomes(this.deps); // `homes`: personal homes follow their content (issue 16)
    // Report rollups yield to escalations: refreshed on a pass with nothing else to do, or at
    // least every few seconds under sustained load, so they never delay a step.
    if (work === 0 || Date.now() - this.lastReports >= REPORTS_MAX_WAIT_MS) {
      this.lastReports = Date.now();
      work += await this.reports.runOnce();
    }
    const now = this.deps.clock.now().getTime();
    if (now - this.lastAudit >= this.opts.auditEveryMs) {
      this.lastAudit = now;
      await this.auditModule();
    }
    return work;
  }

  /** Response SLA breached and nobody acknowledged: the team's plan starts. */
  async slaModule(): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now();
    const due = await deps.tickets.dueForBreach(now, this.opts.batch);
    await pool(due, this.opts.concurrency, async (t) => {
      const dueAt = t.sla.responseDueAt!;
      const key = `breach:${t.id}:${new Date(dueAt).getTime()}`;
      await deps.timeline.append([event(deps, t.id, 'sla.response_breached', now, ENGINE, { responseDueAt: dueAt, lateMs: now.getTime() - new Date(dueAt).getTime() }, key)]);
      try {
        const plan = deps.directory().org.plans;
        if (plan.length > 0) {
          await startEscalation(deps, { ticket: t.id, kind: 'automatic', actor: ENGINE, reason: 'response SLA breached', breachAt: new Date(dueAt) });
        }
      } catch (e) {
        deps.log.warn({ ticketId: t.id, err: (e as Error).message }, 'SLA breached but no escalation could start');
      }
      await deps.tickets.markBreachHandled(t.id);
    });
    return due.length;
  }

  /** Firings claimed by a process that died before storing their messages. */
  async recoverModule(): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now();
    const before = new Date(now.getTime() - this.opts.pendingStaleMs);
    const since = this.lastRecoverScan === null ? undefined : this.lastRecoverScan - SCAN_MARGIN_MS;
    const claimed = await deps.escalations.claimedBetween(before, RECOVER_BATCH, since);
    this.lastRecoverScan = before.getTime();
    return this.storeMissing(claimed, now);
  }

  /** Of these escalations, those whose latest claim is younger than the stale age and not stored yet: a pass (here or in another process) may be sending it. */
  private async inFlightElsewhere(escs: StoredEscalation[], now: Date): Promise<Set<string>> {
    const young = escs.filter((e) => e.pendingAt && now.getTime() - new Date(e.pendingAt).getTime() < this.opts.pendingStaleMs && this.storedHere.get(e.id)?.version !== e.version);
    if (young.length === 0) return new Set();
    return new Set((await unstoredFirings(this.deps, young)).keys());
  }

  /** Re-materialises firings whose step events are missing (idempotent). Returns how many escalations needed it. */
  private async storeMissing(all: StoredEscalation[], now: Date): Promise<number> {
    const { deps } = this;
    const escs = all.filter((e) => this.storedHere.get(e.id)?.version !== e.version && !this.storing.has(e.id));
    const missing = await unstoredFirings(deps, escs);
    if (missing.size === 0) return 0;
    const tickets = await deps.tickets.getMany([...new Set(escs.filter((e) => missing.has(e.id)).map((e) => e.ticketId))]);
    const items: ClaimedFirings[] = [];
    for (const e of escs) {
      const firings = missing.get(e.id);
      const t = tickets.get(e.ticketId);
      if (!firings || !t) continue;
      items.push({ esc: e, ticket: t, firings, exhausted: e.status === 'exhausted' });
    }
    // One line per pass, not per escalation: after a crash or an outage there may be hundreds.
    if (items.length > 0) deps.log.warn({ escalations: items.length, firings: items.reduce((n, it) => n + it.firings.length, 0), sample: items.slice(0, 5).map((it) => it.esc.id) }, 'recovering firings left by a stopped process or a failed pass');
    if (items.length > 0) await materializeFirings(deps, items, now);
    return items.length;
  }

  /**
   * Fires due steps: decide, claim with compare-and-set, then store the messages.
   * `onFullClaim`: called once a full batch is claimed (a burst: more are due), before its
   * messages go out, so the next pass may claim while this one sends.
   */
  async escalationModule(signal?: AbortSignal, onFullClaim?: () => void): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now();
    const since = this.lastDueScan === null ? undefined : this.lastDueScan - SCAN_MARGIN_MS;
    this.lastQueryAt = now.getTime();
    const found = await deps.escalations.due(now, this.opts.batch, since);
    // A full batch may have left more behind in the same window: keep the window for next time.
    if (found.length < this.opts.batch || this.lastDueScan === null) this.lastDueScan = found.length < this.opts.batch ? now.getTime() : null;
    // Another step pass of this process may be deciding some of these right now (the runner
    // overlaps passes for steps due while one runs): those are left to it.
    const due = found.filter((e) => !this.firing.has(e.id));
    if (due.length === 0) return 0;
    for (const e of due) this.firing.add(e.id);
    try {
      return await this.fire(due, now, signal, found.length >= this.opts.batch ? onFullClaim : undefined);
    } finally {
      for (const e of due) this.firing.delete(e.id);
    }
  }

  private async fire(due: StoredEscalation[], now: Date, signal?: AbortSignal, onClaimed?: () => void): Promise<number> {
    const { deps } = this;
    const dir = deps.directory();
    // A claim replaces the previous one's firings: make sure those were stored first. A claim
    // younger than the stale age may still be sending them (another process's pass): left
    // for a later pass, when they are stored or the claim is stale.
    const unsure = await this.inFlightElsewhere(due, now);
    if (unsure.size > 0) due = due.filter((e) => !unsure.has(e.id));
    await this.storeMissing(due, now);
    const tickets = await deps.tickets.getMany([...new Set(due.map((e) => e.ticketId))]);
    const decided: { e: StoredEscalation; t: Ticket; next: EscalationState; firings: StepFiring[] }[] = [];
    for (const e of due) {
      const t = tickets.get(e.ticketId) ?? null;
      if (!t || !isOpen(t)) {
        await this.endWithTicket(e, t);
        continue;
      }
      const { state, firings } = decideTick(e, now, (step, level) => resolveStepTargets(dir, t, step, level, now));
      if (firings.length > 0) decided.push({ e, t, next: state, firings });
    }
    // Compare-and-set every decision at once; an acknowledgement or another process that got there first wins.
    const won = decided.length > 0 ? await deps.escalations.claimMany(decided.map((d) => ({ next: d.next, expectedVersion: d.e.version, firings: d.firings, prev: d.e })), now) : new Set<string>();
    onClaimed?.();
    const claimed: ClaimedFirings[] = decided
      .filter((d) => won.has(d.e.id))
      .map((d) => ({ esc: { ...d.e, ...d.next, version: d.e.version + 1 }, ticket: d.t, firings: d.firings, exhausted: d.next.status === 'exhausted' }));
    // Claimed but not yet stored: if this fails or the process dies here, recovery re-materialises them.
    if (claimed.length > 0) {
      // Stored and sent wave by wave; recovery leaves them to this pass meanwhile.
      for (const c of claimed) this.storing.add(c.esc.id);
      try {
        const stored = await this.dispatcher.sendFresh(buildFirings(deps, claimed, now), randomUUID(), now, signal);
        this.rememberStored(claimed.filter((c) => stored.has(c.esc.id)), now.getTime());
      } finally {
        for (const c of claimed) this.storing.delete(c.esc.id);
      }
    }
    return due.length;
  }

  private rememberStored(claimed: ClaimedFirings[], at: number): void {
    for (const c of claimed) this.storedHere.set(c.esc.id, { version: c.esc.version, at });
    // Past the recovery window (stale age + scan margin, twice over) an entry is never asked for again.
    const keepMs = 2 * (this.opts.pendingStaleMs + SCAN_MARGIN_MS);
    if (this.storedHere.size > 1000) for (const [id, v] of this.storedHere) if (at - v.at > keepMs) this.storedHere.delete(id);
  }

  private async endWithTicket(e: StoredEscalation, t: Ticket | null): Promise<void> {
    const now = this.deps.clock.now();
    const r = await this.deps.escalations.transition(e.id, ['active', 'exhausted'], { status: 'resolved', nextDueAt: null, endedAt: now });
    if (r && t) await this.deps.timeline.append([event(this.deps, t.id, 'escalation.resolved', now, ENGINE, { escalationId: e.id, reason: `ticket ${t.status}` }, `escalation.resolved:${e.id}`)]);
  }

  /** Finds escalations that should have moved and did not: records it and logs an error. */
  async auditModule(): Promise<number> {
    const { deps } = this;
    const now = deps.clock.now();
    const before = new Date(now.getTime() - this.opts.auditGraceMs);
    const since = this.lastAuditScan === null ? undefined : this.lastAuditScan - SCAN_MARGIN_MS;
    const stuck = await deps.escalations.overdue(before, 100, since);
    this.lastAuditScan = before.getTime();
    for (const e of stuck) {
      if (!isLive(e)) continue;
      deps.log.error({ escalationId: e.id, ticketId: e.ticketId, nextDueAt: e.nextDueAt, overdueMs: now.getTime() - new Date(e.nextDueAt!).getTime() }, 'AUDIT: escalation overdue and not advancing');
      await deps.timeline.append([event(deps, e.ticketId, 'escalation.audit_stuck', now, ENGINE, { escalationId: e.id, nextDueAt: e.nextDueAt, stepIndex: e.stepIndex }, `audit:${e.id}:${e.fired}`)]);
    }
    return stuck.length;
  }
}
