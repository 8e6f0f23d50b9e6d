/**
 * What the chat-ops core gives back: platform-neutral. Slack renders it as Block Kit, Teams
 * as an Adaptive Card; neither decides anything.
 */
import type { Person } from '../../domain/directory.js';
import type { EscalationRequest } from '../../domain/coordination.js';
import type { MajorEscalation } from '../../domain/major.js';
import type { Report, ReportCsvRow } from '../../domain/reports/report.js';
import type { Ticket } from '../../domain/ticket.js';
import type { Actor } from '../ports/timeline.js';
import type { TicketHistory } from '../use-cases/history.js';
import type { Home } from '../use-cases/home.js';

/** Who is asking, where, and in which time zone they read times. Built once per request by the shell. */
export interface ChatContext {
  person: Person;
  actor: Actor;
  platform: 'slack' | 'teams';
  /** The reader's IANA zone (their own, else the organisation's). */
  zone: string;
  /** The conversation the command was typed in (a war room lets the ticket be left out). */
  conversationId: string | null;
}

/** One line of help: generated from the catalog. */
export interface HelpEntry {
  group: string;
  usage: string;
  summary: string;
  example: string;
}

/** The forms a chat front end opens (Slack modal, Teams card). */
export type Form =
  /** `confidential`: the form opens with its Confidential box ticked (issue 16). */
  | { form: 'ticket'; title: string; description?: string; channelId?: string | null; confidential?: boolean }
  | { form: 'escalate'; ticket: Ticket; problem?: string }
  | { form: 'request'; ticket: Ticket; problem?: string }
  | { form: 'rate'; ticket: Ticket; score: number }
  /** A "More" action that needs words (issue 16): a reason, a note, a team, a person. */
  | { form: 'more'; ticket: Ticket; do: string; prompt: string };

/** The view model of an answer: what to draw besides the text. */
export type View =
  | { kind: 'ticket'; ticket: Ticket; note?: string }
  | { kind: 'lines'; lines: string[] }
  | { kind: 'help'; entries: HelpEntry[]; problem?: string }
  | { kind: 'history'; history: TicketHistory; zone: string }
  | ({ kind: 'form' } & Form)
  | { kind: 'report'; report: Report; rows: ReportCsvRow[] }
  | { kind: 'tasks'; ticket: Ticket; major: MajorEscalation; zone: string }
  | { kind: 'major'; ticket: Ticket; major: MajorEscalation; zone: string }
  | { kind: 'request'; ticket: Ticket; request: EscalationRequest }
  | { kind: 'rated'; ticket: Ticket; score: number; comment: string }
  /** Issue 16: a person's home (Slack App Home, Teams `home` card). */
  | { kind: 'home'; home: Home }
  /**
   * Issue 16: an action that is a command (a More menu choice with its words): runAction runs
   * `command` through the catalog (one parser, one use case), so a shell only sees it if it
   * renders the action's own answer, as the command to type.
   */
  | { kind: 'run'; command: string };

export interface Answer {
  /** One or more sentences for the person; `/esc ` marks a command (Teams drops it). */
  text: string;
  view?: View;
  /** The message the button was on shows the changed ticket for everyone (else only the asker sees the answer). */
  replacesOriginal?: boolean;
  /** False for a refusal or a mistake in what was typed. */
  ok: boolean;
}

export const say = (text: string, view?: View, replacesOriginal = false): Answer => ({ text, ...(view ? { view } : {}), ...(replacesOriginal ? { replacesOriginal } : {}), ok: true });
export const refuse = (text: string, view?: View): Answer => ({ text, ...(view ? { view } : {}), ok: false });
