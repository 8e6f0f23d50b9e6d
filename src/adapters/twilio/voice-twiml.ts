import { twilioSdk } from './twilio-sdk.js';
import type { Notice } from '../../domain/notice.js';
import { ageText } from '../../domain/notice.js';
import { xmlSafe } from './xml-safe.js';

/** Twilio refuses inline TwiML longer than this in calls.create. */
export const MAX_TWIML = 4000;

const KEYS = 'Press 1 to acknowledge. Press 2 to escalate. Press 3 to resolve. Press star to hear this again.';

/** Spells a ticket key so it is read as letters and a number: "E S C 1042". */
function spoken(key: string): string {
  return key.replace(/^([A-Z]+)-/, (_m, p: string) => `${p.split('').join(' ')} `);
}

/** The call script: what happened, then a one-digit menu whose answer posts to `action`. */
export function callTwiml(notice: Notice, now: Date, action: string, prefix = ''): string {
  const build = (titleMax: number) => {
    const vr = new (twilioSdk().twiml.VoiceResponse)();
    const t = notice.ticket;
    const title = xmlSafe(t.title).slice(0, titleMax);
    const step = notice.escalation ? ` This is escalation step ${notice.escalation.step} of ${notice.escalation.steps}.` : '';
    const say = `${prefix}This is Esc. Ticket ${spoken(t.key)}, priority ${t.priority.split('').join(' ')}: ${title}. Open for ${ageText(t.openedAt, now)}, team ${t.team}.${step}`;
    const g = vr.gather({ numDigits: 1, action, method: 'POST', timeout: 8 });
    g.say(xmlSafe(say));
    g.say(KEYS);
    vr.say('We did not get an answer. Goodbye.');
    return vr.toString();
  };
  let xml = build(300);
  // Long titles (and XML escaping) could pass the limit: shorten the title, never the menu.
  for (let max = 200; xml.length > MAX_TWIML && max >= 0; max -= 50) xml = build(max);
  return xml;
}

/** The answer after a key press: what happened, then hang up. */
export function sayAndHangUp(text: string): string {
  const vr = new (twilioSdk().twiml.VoiceResponse)();
  vr.say(xmlSafe(text));
  vr.hangup();
  return vr.toString();
}
