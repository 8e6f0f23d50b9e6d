/** What MongoDB holds beside the org file, as the directory reads it (overrides, self-service settings, people found by email). */
import type { DirectoryOverlay, Person } from '../../../domain/directory.js';
import type { RotationOverride } from '../../../domain/rotation.js';
import type { OnCallRepository, PersonSettings, StoredOverride } from '../../ports/oncall.js';

export function overlayOf(overrides: readonly StoredOverride[], settings: readonly PersonSettings[], orgZone: string): DirectoryOverlay {
  const byRotation = new Map<string, RotationOverride[]>();
  for (const o of overrides) {
    const list = byRotation.get(o.rotationId) ?? [];
    list.push({ id: o.id, personId: o.personId, from: new Date(o.from), to: new Date(o.to), layer: o.layer });
    byRotation.set(o.rotationId, list);
  }
  const patches = new Map<string, Partial<Pick<Person, 'phone' | 'quietHours' | 'slackId' | 'teamsId'>>>();
  const extraPeople: Person[] = [];
  for (const s of settings) {
    const patch: Partial<Pick<Person, 'phone' | 'quietHours' | 'slackId' | 'teamsId'>> = {};
    if (s.phone) patch.phone = s.phone;
    if (s.quietHours) patch.quietHours = s.quietHours;
    if (s.slackId) patch.slackId = s.slackId;
    if (s.teamsId) patch.teamsId = s.teamsId;
    patches.set(s.personId, patch);
    if (s.added) extraPeople.push({ ...s.added, timeZone: s.added.timeZone || orgZone, roles: ['requester'], contacts: [{ kind: 'chat' }, { kind: 'email', address: s.added.email }] });
  }
  return { overrides: byRotation, patches, extraPeople };
}

/** Reads the overlay: overrides that have not ended a day ago (older ones change nothing any more, kept for the record). */
export async function loadOverlay(repo: OnCallRepository, now: Date, orgZone: string): Promise<DirectoryOverlay> {
  const [overrides, settings] = await Promise.all([repo.activeOverrides(new Date(now.getTime() - 86_400_000)), repo.allSettings()]);
  return overlayOf(overrides, settings, orgZone);
}
