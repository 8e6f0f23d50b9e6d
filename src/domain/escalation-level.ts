/**
 * How high a plan step reaches (seed 003's levels: front line → team lead → management →
 * executives), read from the people a step fired to. The requester is told once per level
 * the plan climbs to (issue 14); the front line is the usual way in and tells them nothing.
 * Pure.
 */
import type { Directory } from './directory.js';

export interface StepLevel {
  /** 0: front line (assignee, on call, a channel); 1: team lead; 2: management or coordinators; 3: executives. */
  level: number;
  /** How the requester reads it: "the team lead", "management", "the escalation coordinators", "senior management". */
  label: string;
}

/** The target kinds a fired step records (see targets.ts Recipient['target']). */
export interface FiredTarget {
  personId: string | null;
  target: string;
}

/** The highest level among a fired step's targets. */
export function stepLevel(dir: Pick<Directory, 'person'>, targets: readonly FiredTarget[]): StepLevel {
  let best: StepLevel = { level: 0, label: 'the front line' };
  const take = (l: StepLevel) => {
    if (l.level > best.level) best = l;
  };
  for (const t of targets) {
    const roles = dir.person(t.personId)?.roles ?? [];
    if (roles.includes('executive')) take({ level: 3, label: 'senior management' });
    if (t.target === 'team_lead') take({ level: 1, label: 'the team lead' });
    else if (t.target === 'manager') take({ level: 2, label: 'management' });
    else if (t.target === 'coordinators') take({ level: 2, label: 'the escalation coordinators' });
    else if (t.target === 'person' && roles.includes('manager')) take({ level: 2, label: 'management' });
  }
  return best;
}
