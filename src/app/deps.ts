import type { Directory, Org } from '../domain/directory.js';
import type { Actor } from './ports/timeline.js';
import type { DeliveryRepository } from './ports/deliveries.js';
import type { EscalationRepository } from './ports/escalations.js';
import type { OrgRepository } from './ports/org.js';
import type { ReportFactsRepository } from './ports/report-facts.js';
import type { AlertKeyRepository, TicketRepository } from './ports/tickets.js';
import type { TimelineRepository } from './ports/timeline.js';
import type { RequestRepository } from './ports/requests.js';
import type { MajorRepository } from './ports/majors.js';
import type { ProblemRepository } from './ports/problems.js';
import type { WarRoomPort } from './ports/war-room.js';
import type { AarModel } from '../domain/aar.js';
import type { OnCallMessenger, OnCallRepository } from './ports/oncall.js';
import type { TicketMessageRepository, TicketMessageUpdater } from './ports/ticket-messages.js';
import type { HomeRegistry } from './ports/homes.js';

/** The time source. Tests pass a controllable clock; production uses the system clock. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Structured logger (pino-compatible subset). ERROR only when a human must act. */
export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/** Everything a use case may touch. Built once in the composition root. */
export interface AppDeps {
  tickets: TicketRepository;
  alertKeys: AlertKeyRepository;
  timeline: TimelineRepository;
  escalations: EscalationRepository;
  deliveries: DeliveryRepository;
  orgRepo: OrgRepository;
  /** Report rollups (issue 8). */
  reports: ReportFactsRepository;
  /** The current organisation snapshot. */
  directory(): Directory;
  clock: Clock;
  newId(): string;
  log: Logger;
  /** Asks the engine to run soon (a user acted); optional. */
  nudge?(): void;
  /** Issue 7: manager escalation requests, major escalations, problem records. */
  requests: RequestRepository;
  majors: MajorRepository;
  problems: ProblemRepository;
  /** War rooms of major escalations (Slack, Teams, or the outbox when no platform is configured). */
  warRoom: WarRoomPort;
  /** Renders an after-action report as a PDF (pdfkit lives in the adapter, not the domain). */
  renderAarPdf(model: AarModel): Promise<Buffer>;
  /** Issue 15: overrides, cover requests, the on-call audit timeline, self-service settings. */
  oncall: OnCallRepository;
  /** Posts cover requests, shift notices and hand-offs (Slack and/or Teams; else the outbox). */
  oncallMessenger: OnCallMessenger;
  /** The key iCal feed links are signed with (ESC_ICAL_SECRET, else a random key kept in MongoDB). */
  icalKey(): Promise<Buffer>;
  /** Re-reads what MongoDB holds beside the org file (overrides, settings) so routing changes at once. */
  refreshDirectory(): Promise<void>;
  /** Reloads the organisation (file or given snapshot); refuses an invalid one and keeps the running org. */
  reloadOrg(org?: Org, by?: Actor): Promise<{ hash: string; changed: boolean }>;
  /** Reads and validates the org file (ESC_ORG_FILE); throws OrgFileError with every problem by dotted path. */
  readOrgFile(): Org;
  /** Every message posted about a ticket (issue 12): kept in step with the ticket by the engine's `messages` module. */
  ticketMessages?: TicketMessageRepository;
  /** Edit messages in place, one per platform (Slack, Teams); none: messages are recorded, not updated. */
  messageUpdaters?: TicketMessageUpdater[];
  /** Issue 16: who opened their home where, to republish it when its content changes (an updater that is also a HomePublisher publishes it). */
  homes?: HomeRegistry;
}
