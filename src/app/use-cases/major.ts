/**
 * Major escalations (seed 001, issue 7). CONTRACT for the chat and HTTP adapters: these
 * exported names and parameter shapes are fixed; bodies are being written.
 * Every function refuses with DomainError (FORBIDDEN / VALIDATION / NOT_FOUND /
 * INVALID_TRANSITION) and a sentence a person can read; every success is on the timeline.
 */
import { DomainError } from '../../domain/errors.js';
import type { MajorEscalation, MajorRole, MajorTask, ProblemRecord } from '../../domain/major.js';
import type { Ticket } from '../../domain/ticket.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../ports/timeline.js';

export interface MajorResult {
  ticket: Ticket;
  major: MajorEscalation;
  changed: boolean;
  /** One sentence for the person who acted. */
  message: string;
}

export interface AfterActionReport {
  markdown: string;
  pdf: Buffer;
  fileName: string;
}

const todo = (): never => {
  throw new DomainError('CONFLICT', 'Not built yet.');
};

/** An escalation manager declares a major escalation: war room opened, summary pinned, team invited. */
export async function declareMajor(_deps: AppDeps, _args: { ticket: string | number; reason: string; actor: Actor }): Promise<MajorResult> {
  return todo();
}

/** Assigns a role on the cross-functional team: invited to the war room, sent the role's instructions. */
export async function assignRole(_deps: AppDeps, _args: { ticket: string | number; personId: string; role: MajorRole; actor: Actor }): Promise<MajorResult> {
  return todo();
}

export async function addTask(_deps: AppDeps, _args: { ticket: string | number; title: string; ownerId: string; dueAt: Date; actor: Actor }): Promise<MajorResult & { task: MajorTask }> {
  return todo();
}

export async function closeTask(_deps: AppDeps, _args: { ticket: string | number; n: number; actor: Actor }): Promise<MajorResult & { task: MajorTask }> {
  return todo();
}

/** A customer / stakeholder update: sent to the stakeholders, posted in the war room, cadence restarted. */
export async function postUpdate(_deps: AppDeps, _args: { ticket: string | number; text: string; actor: Actor }): Promise<MajorResult> {
  return todo();
}

/** Creates a problem record (title) or links an existing one (PRB number) and relates the incident to it. */
export async function linkProblem(_deps: AppDeps, _args: { ticket: string | number; problem: { number: number } | { title: string }; actor: Actor }): Promise<MajorResult & { problem: ProblemRecord }> {
  return todo();
}

/** A new ticket is a recurrence of a major escalation's incident (during warranty: reopens it). */
export async function linkRecurrence(_deps: AppDeps, _args: { ticket: string | number; of: string | number; actor: Actor }): Promise<MajorResult> {
  return todo();
}

/** The customer's answer to the satisfaction check (1–5 and a comment). */
export async function recordSatisfaction(_deps: AppDeps, _args: { ticket: string | number; score: number; comment?: string; actor: Actor }): Promise<MajorResult> {
  return todo();
}

/** Builds the after-action report from the timeline (Markdown + PDF); `send` posts it in the war room and to the stakeholders. */
export async function afterActionReport(_deps: AppDeps, _args: { ticket: string | number; actor: Actor; send?: boolean }): Promise<AfterActionReport> {
  return todo();
}

/** The major escalation on a ticket, or null. */
export async function majorForTicket(_deps: AppDeps, _ticket: string | number): Promise<MajorEscalation | null> {
  return todo();
}
