import type { Priority, Ticket, TicketStatus } from '../../domain/ticket.js';

export interface TicketFilter {
  status?: TicketStatus[];
  teamId?: string[];
  priority?: Priority[];
  assigneeId?: string;
  requesterId?: string;
  escalated?: boolean;
  elevated?: boolean;
  createdFrom?: Date;
  createdTo?: Date;
}

/** Tickets. Every write is a compare-and-set on `version`. */
export interface TicketRepository {
  /** A new, unique, increasing ticket number (safe under concurrency). */
  nextNumber(): Promise<number>;
  /**
   * Reserves `n` consecutive numbers in one atomic step and returns the first (a block:
   * grouped intake hands them out in memory). Numbers of a block never used leave a gap.
   */
  nextNumbers(n: number): Promise<number>;
  /** Stores a new ticket (version 0). */
  insert(ticket: Ticket): Promise<void>;
  /** Stores new tickets in one grouped write; returns the ids that were already stored (left as they were). */
  insertMany(tickets: Ticket[]): Promise<string[]>;
  /**
   * Folds an alert ticket's count kept on its dedup key (AlertKeyRepository.count) into the
   * ticket: alertCount becomes at least `count` (counts only grow, so a fold repeated or
   * folded late never lowers nor doubles it). Not a change of the ticket (no new version, no
   * updatedAt). Returns the ticket after it, whatever its status, or null when it is gone.
   */
  foldAlertCount(id: string, count: number): Promise<Ticket | null>;
  /** get, getByNumber, getMany and list show an open alert ticket's count including the repeats not folded yet. */
  get(id: string): Promise<Ticket | null>;
  getByNumber(number: number): Promise<Ticket | null>;
  /** Several tickets by id in one round trip. */
  getMany(ids: string[]): Promise<Map<string, Ticket>>;
  /**
   * Replaces the ticket if its stored version is still `ticket.version`; bumps the version.
   * Returns the stored ticket, or null when another writer got there first (reload and retry).
   */
  save(ticket: Ticket, extra?: { breachHandled?: boolean }): Promise<Ticket | null>;
  list(filter: TicketFilter, limit: number, skip?: number): Promise<Ticket[]>;
  count(filter: TicketFilter): Promise<number>;
  /** Open tickets whose response SLA has breached and not yet been handled, oldest due first. */
  dueForBreach(now: Date, limit: number): Promise<Ticket[]>;
  /** Marks the breach handled; false when it already was. */
  markBreachHandled(id: string): Promise<boolean>;
  /** Tickets changed since their timers (SLA warnings, resolution breach, ack timeout) were last computed. */
  timersToCompute(limit: number): Promise<Ticket[]>;
  /** Stores the earliest pending timer (null: none) if the ticket is still at `version`; false when it changed meanwhile. */
  setTimers(id: string, version: number, at: Date | null): Promise<boolean>;
  /** The organisation changed: every open ticket's timers are recomputed. Returns how many. */
  markTimersStale(): Promise<number>;
  /** Tickets with a timer due at `now`, earliest first. */
  timersDue(now: Date, limit: number): Promise<Ticket[]>;
  /** Records a timer as handled (never handled again) and asks for the next one to be computed. */
  markTimerDone(id: string, key: string): Promise<void>;
  /** Tickets whose change reactions are due at `now` (`reactAt` ≤ now), earliest first. */
  reactionsDue(now: Date, limit: number): Promise<Ticket[]>;
}

/** Alert de-duplication: one open ticket per dedup key. */
export interface AlertKeyRepository {
  /**
   * Claims `key` for `ticketId`, whose ticket will open with `count` alerts counted. Returns
   * { owner: true } when this caller now owns the key and must create the ticket; otherwise
   * the ticket id that holds it (possibly still being created).
   */
  claim(key: string, ticketId: string, now: Date, count?: number): Promise<{ owner: boolean; ticketId: string; state: 'creating' | 'open'; at: Date }>;
  /** Claims several keys at once (one round trip), each for its ticket id and opening count: the keys this caller now owns (the others are held). */
  claimMany(items: { key: string; ticketId: string; count: number }[], now: Date): Promise<Set<string>>;
  /** The current holders of several keys in one round trip (keys nobody holds are absent); count: the alerts counted for the holder so far. */
  getMany(keys: string[]): Promise<Map<string, { ticketId: string; state: 'creating' | 'open'; at: Date; count: number | null }>>;
  /**
   * Counts `count` more alerts of the key's open ticket on the key itself (a small document:
   * one atomic update, about half the database work of an update of the ticket, issue 18).
   * Returns the ticket's count after it, or null when the key no longer names `ticketId` as
   * open (released, taken over, or still being created): nothing was counted. The count is
   * folded into the ticket later (TicketRepository.foldAlertCount) and when the key is released.
   */
  count(key: string, ticketId: string, count: number): Promise<number | null>;
  /**
   * Marks the key's ticket as created (no effect when another caller already did). `count`:
   * the ticket's alert count, taken by a key stored without one (by an older Esc).
   */
  markOpen(key: string, ticketId: string, count?: number): Promise<void>;
  /** markOpen of several keys in one round trip. */
  markOpenMany(items: { key: string; ticketId: string }[]): Promise<void>;
  /** Frees a key whose ticket was never opened (its opening failed): nothing was counted on it. */
  release(key: string, ticketId: string): Promise<void>;
  /** release of several keys in one round trip. */
  releaseMany(items: { key: string; ticketId: string }[]): Promise<void>;
  /**
   * Frees the key if it still names `ticketId` with exactly `count` alerts counted (they are
   * folded into the ticket; null: a key stored without a count): true when freed, or when the key no longer names the ticket; false
   * when more alerts were counted meanwhile (fold them and try again).
   */
  releaseCounted(key: string, ticketId: string, count: number | null): Promise<boolean>;
  /** Takes over a key whose creator died before creating the ticket. */
  takeOver(key: string, staleTicketId: string, newTicketId: string, now: Date): Promise<boolean>;
}
