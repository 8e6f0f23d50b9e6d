import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { twilioSdk } from './twilio-sdk.js';
import type { AppDeps } from '../../app/deps.js';
import { respondToNotification } from '../../app/use-cases/respond.js';
import type { Reply } from '../../app/use-cases/escalations.js';
import { isDomainError } from '../../domain/errors.js';
import type { TwilioReplyStore } from './reply-store.js';
import { consentKeyword } from './opt-out-store.js';
import type { SmsConsent } from './sms-consent.js';
import { parseSmsReply, smsHelp } from './sms-text.js';
import { statusUpdate } from './twilio-status.js';
import { callTwiml, sayAndHangUp } from './voice-twiml.js';
import { xmlSafe } from './xml-safe.js';

export interface TwilioRouterOptions {
  authToken: string;
  /** ESC_PUBLIC_URL: the URL Twilio signed (behind a proxy the request's own host is not it). */
  publicUrl: string;
  store: TwilioReplyStore;
  /** STOP/START handling; without it consent keywords are ordinary (unknown) replies. */
  consent?: SmsConsent;
}

type Params = Record<string, string>;
const DIGIT_REPLY: Record<string, Reply> = { '1': 'acknowledge', '2': 'escalate', '3': 'resolve' };

/** 403 unless X-Twilio-Signature matches the public URL and the form parameters. */
export function verifyTwilio(authToken: string, publicUrl: string) {
  const base = publicUrl.replace(/\/$/, '');
  return (req: Request, res: Response, next: NextFunction) => {
    const sig = req.header('x-twilio-signature');
    const params = (req.body ?? {}) as Params;
    if (!sig || !twilioSdk().validateRequest(authToken, sig, `${base}${req.originalUrl}`, params)) {
      res.status(403).type('text/plain').send('Invalid Twilio signature.');
      return;
    }
    next();
  };
}

/** /twilio/sms, /twilio/voice, /twilio/status: signed, idempotent on replay, answered with TwiML. */
export function twilioRouter(deps: AppDeps, opts: TwilioRouterOptions): Router {
  const r = express.Router();
  r.use(express.urlencoded({ extended: false, limit: '64kb' }), verifyTwilio(opts.authToken, opts.publicUrl), (req, res, next) => {
    // The SID is the replay key: a signed request without one is not from Twilio's webhooks.
    const p = req.body as Record<string, string | string[]>;
    // A parameter sent twice arrives as an array: Twilio never does that, and no field means two values.
    const repeated = Object.keys(p).filter((k) => typeof p[k] !== 'string');
    if (repeated.length > 0) return void res.status(400).type('text/plain').send(`Parameter ${repeated.join(', ')} was sent more than once.`);
    if (!(p.MessageSid ?? p.SmsSid ?? p.CallSid)) return void res.status(400).type('text/plain').send('MessageSid or CallSid is required.');
    next();
  });
  const { store } = opts;

  /** Runs `work` once per receipt key; on a failure the receipt is dropped so Twilio's retry counts. */
  const once = async (key: string, work: () => Promise<void>, replay: () => void) => {
    if (!(await store.firstTime(key, deps.clock.now()))) return replay();
    try {
      await work();
    } catch (e) {
      await store.forget(key).catch(() => undefined);
      throw e;
    }
  };
  const twiml = (res: Response, xml: string) => res.type('text/xml').send(xml);
  const sms = (res: Response, text?: string) => {
    const m = new (twilioSdk().twiml.MessagingResponse)();
    if (text) m.message(xmlSafe(text));
    twiml(res, m.toString());
  };
  /**
   * Our own failure (e.g. the database is down) still answers 200 with TwiML: Twilio does not
   * retry SMS or voice webhooks on a 5xx, so the person is better told to try again.
   */
  const fail = (res: Response, e: unknown, what: string) => {
    deps.log.error({ err: e, what }, 'Twilio webhook failed');
    if (res.headersSent) return;
    if (what === 'sms') return sms(res, 'Esc could not handle your reply just now; nothing changed. Try again in a minute.');
    if (what === 'voice') return void twiml(res, sayAndHangUp('Sorry, Esc could not handle this just now. Nothing changed. Please try again in a minute. Goodbye.'));
    res.status(204).end();
  };

  r.post('/sms', (req, res) => {
    const p = req.body as Params;
    const sid = p.MessageSid ?? p.SmsSid ?? '';
    const work = async () => {
      const kind = opts.consent ? consentKeyword(p.Body ?? '', p.OptOutType) : null;
      if (kind && opts.consent) return sms(res, await opts.consent.inbound(p.From ?? '', (p.Body ?? '').trim() || (p.OptOutType ?? ''), kind, deps.clock.now()));
      sms(res, await smsAnswer(deps, store, p.From ?? '', p.Body ?? ''));
    };
    once(`sms:${sid}`, work, () => sms(res)).catch((e: unknown) => fail(res, e, 'sms'));
  });

  r.post('/voice', (req, res) => {
    const p = req.body as Params;
    const digits = p.Digits ?? '';
    const deliveryId = typeof req.query.delivery === 'string' ? req.query.delivery : '';
    const work = async () => {
      const d = (deliveryId ? await deps.deliveries.get(deliveryId) : null) ?? (p.CallSid ? await deps.deliveries.byProviderId(p.CallSid) : null);
      if (!d) return void twiml(res, sayAndHangUp('Sorry, Esc does not know this call. Goodbye.'));
      const action = `${opts.publicUrl.replace(/\/$/, '')}${req.originalUrl}`;
      const reply = Object.hasOwn(DIGIT_REPLY, digits) ? DIGIT_REPLY[digits] : undefined;
      if (!reply) {
        const prefix = digits === '' || digits === '*' ? '' : `Key ${digits} does nothing. `;
        return void twiml(res, callTwiml(d.notice, deps.clock.now(), action, prefix));
      }
      const personId = d.recipient.personId ?? deps.directory().byPhone(p.To ?? '')?.id ?? null;
      await once(
        `voice:${p.CallSid ?? ''}:${digits}`,
        async () => {
          const text = await answer(deps, d.ticketId, reply, { personId, via: 'voice' });
          twiml(res, sayAndHangUp(`${text} Goodbye.`));
        },
        () => twiml(res, sayAndHangUp('That key press was already handled. Goodbye.')),
      );
    };
    work().catch((e: unknown) => fail(res, e, 'voice'));
  });

  r.post('/status', (req, res) => {
    const p = req.body as Params;
    const sid = p.MessageSid ?? p.CallSid ?? '';
    const status = p.MessageStatus ?? p.CallStatus ?? '';
    const done = () => void res.status(204).end();
    once(`status:${sid}:${status}`, async () => {
      await statusUpdate(deps, sid, status, p.ErrorCode ?? null);
      done();
    }, done).catch((e: unknown) => fail(res, e, 'status'));
  });
  return r;
}

/** Calls the one reply use case; a refusal becomes its message plus "nothing changed". */
async function answer(deps: AppDeps, ticket: string | number, reply: Reply, actor: { personId: string | null; via: string }): Promise<string> {
  try {
    return (await respondToNotification(deps, { ticket, reply, actor })).message;
  } catch (e) {
    if (isDomainError(e)) return `${e.message} Nothing changed.`;
    throw e;
  }
}

/** What Esc texts back to an inbound SMS. Unknown numbers and unknown codes change nothing. */
export async function smsAnswer(deps: AppDeps, store: TwilioReplyStore, from: string, body: string): Promise<string> {
  const person = deps.directory().byPhone(from);
  if (!person) return 'Esc does not know this phone number, so nothing changed. Ask your Esc admin to add it to your profile.';
  const cmd = parseSmsReply(body);
  const latest = await store.lookup(person.id, null);
  if (!cmd) return `Esc did not understand "${body.trim().slice(0, 20)}"; nothing changed. ${smsHelp(latest?.ref)}`;
  if ('help' in cmd) return smsHelp(latest?.ref);
  const actor = { personId: person.id, via: 'sms' };
  if (cmd.ticket !== null) return answer(deps, cmd.ticket, cmd.reply, actor);
  const ref = cmd.ref === null ? latest : await store.lookup(person.id, cmd.ref);
  if (!ref) {
    const what = cmd.ref === null ? 'You have no pages from Esc to answer' : `You have no page #${cmd.ref}`;
    return `${what}; nothing changed. ${latest ? smsHelp(latest.ref) : 'Reply e.g. ACK ESC-1042 to act on a ticket.'}`;
  }
  return answer(deps, ref.ticketId, cmd.reply, actor);
}
