import type { Directory } from '../domain/directory.js';
import type { DeliveryRepository } from './ports/deliveries.js';
import type { EscalationRepository } from './ports/escalations.js';
import type { OrgRepository } from './ports/org.js';
import type { AlertKeyRepository, TicketRepository } from './ports/tickets.js';
import type { TimelineRepository } from './ports/timeline.js';

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
  /** The current organisation snapshot. */
  directory(): Directory;
  clock: Clock;
  newId(): string;
  log: Logger;
  /** Asks the engine to run soon (a user acted); optional. */
  nudge?(): void;
}
