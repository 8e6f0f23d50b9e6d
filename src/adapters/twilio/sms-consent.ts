import type { AppDeps } from '../../app/deps.js';
import { announceSmsOptOut } from '../../app/use-cases/sms-opt-out.js';
import type { SmsOptOutStore } from './opt-out-store.js';
import type { TwilioReplyStore } from './reply-store.js';

/**
 * SMS consent: STOP-type replies and Twilio error 21610 record an opt-out (MongoDB), START-type
 * replies clear it; each change is announced to the person on another channel and to their lead.
 * Built before the application exists (with the notifiers), so the mount binds `deps` later.
 */
export class SmsConsent {
  private deps: AppDeps | null = null;
  constructor(
    private readonly optOuts: SmsOptOutStore,
    private readonly replies: TwilioReplyStore,
  ) {}

  /** Called when the Twilio routes are mounted: from then on changes are announced. */
  bind(deps: AppDeps): void {
    this.deps = deps;
  }

  isOptedOut(phone: string): Promise<boolean> {
    return this.optOuts.isOptedOut(phone);
  }

  /** Records an opt-out; announces it when it is new. `hint` names the page that hit it (21610). */
  async stopped(phone: string, keyword: string, at: Date, hint: { personId?: string | null; ticketId?: string } = {}): Promise<void> {
    if (await this.optOuts.optOut(phone, keyword, at)) await this.announce(phone, keyword, at, true, hint);
  }

  /** Clears an opt-out; announces it when there was one. */
  async started(phone: string, keyword: string, at: Date): Promise<void> {
    if (await this.optOuts.optIn(phone)) await this.announce(phone, keyword, at, false, {});
  }

  /** An inbound consent keyword: what to text back (nothing after a STOP: the carrier blocks it and Twilio confirms). */
  async inbound(phone: string, keyword: string, kind: 'opt_out' | 'opt_in', at: Date): Promise<string | undefined> {
    if (kind === 'opt_out') {
      await this.stopped(phone, keyword, at);
      return undefined;
    }
    await this.started(phone, keyword, at);
    return 'Esc pages by SMS are on again for this number. Reply HELP for the reply codes.';
  }

  private async announce(phone: string, keyword: string, at: Date, optedOut: boolean, hint: { personId?: string | null; ticketId?: string }): Promise<void> {
    const deps = this.deps;
    if (!deps) return;
    try {
      const personId = hint.personId ?? deps.directory().byPhone(phone)?.id;
      if (!personId) return void deps.log.info({ phone: `…${phone.slice(-4)}`, optedOut }, 'SMS consent changed for a number nobody in the directory has');
      const ticketId = hint.ticketId ?? (await this.replies.lookup(personId, null))?.ticketId;
      if (!ticketId) return void deps.log.warn({ personId, optedOut }, 'SMS consent changed, but the person was never paged: nobody was told (no ticket to attach the notice to)');
      await announceSmsOptOut(deps, { personId, ticketId, phone, keyword, at, optedOut });
    } catch (err) {
      // The opt-out itself is recorded; only telling people failed.
      deps.log.error({ err, optedOut }, 'could not announce an SMS opt-out change');
    }
  }
}
