/** The model of a person's home (issue 16): built by use-cases/home.ts, rendered by the Slack App Home and the Teams home card. */
import type { SlaState } from '../../domain/sla/sla-clock.js';

export interface HomeTicket {
  key: string;
  title: string;
  priority: string;
  status: string;
  /** The SLA that matters now: response until responded, then resolution. */
  sla: SlaState;
  dueAt: Date | null;
}

export interface Home {
  personId: string;
  name: string;
  zone: string;
  now: Date;
  myTickets: HomeTicket[];
  pages: { key: string; title: string; since: Date; how: string }[];
  tasks: { key: string; n: number; title: string; dueAt: Date; overdue: boolean }[];
  onCall: { rotation: string; team: string; nowOnCall: string | null; mineNow: boolean; nextShift: Date | null }[];
  /** Coordinators only (null: not a coordinator). */
  requests: { key: string; title: string; by: string; reason: string; since: Date }[] | null;
  /** Team leads and managers only (null: not a lead). */
  breachingToday: (HomeTicket & { team: string; assignee: string | null })[] | null;
}
