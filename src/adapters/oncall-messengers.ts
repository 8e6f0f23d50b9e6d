import type { OnCallMessage, OnCallMessenger, PostedMessage } from '../app/ports/oncall.js';
import type { Person } from '../domain/directory.js';

/**
 * With Slack and Teams both configured, an on-call message goes to the first platform that
 * carries it: each messenger declines (`sent: false`) channels that are not its own and people
 * it cannot reach. A failure on one is tried on the next; the last failure is thrown when none sent.
 */
export class OnCallMessengers implements OnCallMessenger {
  constructor(private readonly all: OnCallMessenger[]) {}

  async post(m: OnCallMessage, person: Person | undefined): Promise<{ sent: boolean; posted?: PostedMessage }> {
    let failure: { error: unknown } | null = null;
    for (const x of this.all) {
      try {
        const r = await x.post(m, person);
        if (r.sent) return r;
      } catch (error) {
        failure = { error };
      }
    }
    if (failure) throw failure.error;
    return { sent: false };
  }

  async update(posted: PostedMessage, m: Pick<OnCallMessage, 'text' | 'take'>): Promise<boolean> {
    for (const x of this.all) if (x.update && (await x.update(posted, m))) return true;
    return false;
  }
}
