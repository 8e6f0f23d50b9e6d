/** The organisation's escalation settings that the domain decisions read (org file `coordination:` and `major:`). */
import type { Priority } from './priority.js';

export interface CoordinationConfig {
  /** A request nobody claimed within this many minutes reminds the coordinators. */
  claimWithinMinutes: number;
  /** Reminders before the request goes to the coordinators' manager. */
  reminders: number;
}

export const DEFAULT_COORDINATION: CoordinationConfig = { claimWithinMinutes: 30, reminders: 2 };

/** The organisation's major-escalation settings (org file `major:`). */
export interface MajorConfig {
  /** Customer / stakeholder update interval per priority. */
  updateCadenceMinutes: Record<Priority, number>;
  /** An overdue task reminds its owner and the escalation manager this often. */
  taskReminderMinutes: number;
  /** Hierarchical escalation to executives when any criterion is met. */
  executiveCriteria: { priorities: Priority[]; vipRequester: boolean; openLongerThanMinutes: number | null };
  /** Also alerted with the executives (officials, directors affected). */
  notifyAlso: string[];
  /** Also sent every customer / stakeholder update. */
  stakeholders: string[];
  /** Also sent the after-action report. */
  aarRecipients: string[];
  /** Warranty after resolution, in days. */
  warrantyDays: number;
  /** The customer is reminded once when the satisfaction check is unanswered this many days. */
  satisfactionReminderDays: number;
  /** Still unanswered this many days after the reminder: the escalation managers are told (a person decides). */
  satisfactionTimeoutDays: number;
}

export const DEFAULT_MAJOR: MajorConfig = {
  updateCadenceMinutes: { P1: 60, P2: 120, P3: 240, P4: 480 },
  taskReminderMinutes: 30,
  executiveCriteria: { priorities: ['P1'], vipRequester: true, openLongerThanMinutes: 240 },
  notifyAlso: [],
  stakeholders: [],
  aarRecipients: [],
  warrantyDays: 7,
  satisfactionReminderDays: 2,
  satisfactionTimeoutDays: 5,
};
