/**
 * iCal feeds for calendar apps: `GET /api/rotations/:id.ics?token=…` (every layer's shifts) and
 * `GET /api/people/:id.ics?token=…` (one person's shifts). Calendar apps cannot send a bearer
 * header, so the token is in the URL: an HMAC of the feed's subject under the feed key
 * (`deps.icalKey`: ESC_ICAL_SECRET, else a random key kept in MongoDB), independent of the API
 * tokens, so rotating ESC_API_TOKENS leaves subscriptions working. Authenticated callers get
 * the URLs from `GET /api/rotations/:id/ical-url` and `GET /api/people/:id/ical-url`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Request, Response, Router } from 'express';
import type { AppDeps } from '../../app/deps.js';
import { shiftsOf } from '../../app/use-cases/oncall/who.js';
import { rolesOf } from '../../domain/rotation.js';
import type { Shift } from '../../domain/rotation.js';
import { allow } from './auth.js';

const DAY = 86_400_000;
/** Past and future covered by a feed. */
const BACK_DAYS = 7;
const AHEAD_DAYS = 90;

export function feedToken(key: Buffer, subject: string): string {
  return createHmac('sha256', key).update(subject).digest('base64url').slice(0, 32);
}
function tokenOk(key: Buffer, subject: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(feedToken(key, subject));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The feed key, or a 503 answer when it cannot be read (the database is down): never a 5xx crash. */
async function keyOr503(deps: AppDeps, res: Response): Promise<Buffer | null> {
  try {
    return await deps.icalKey();
  } catch (err) {
    deps.log.warn({ err: (err as Error).message, code: 'ICAL_KEY_UNAVAILABLE' }, 'ical: the feed key could not be read');
    res.status(503).json({ error: 'UNAVAILABLE', message: 'Calendar feeds are unavailable for a moment; try again.' });
    return null;
  }
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
/** RFC 5545 text: backslash, semicolon, comma and newlines escaped. */
const text = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
/** Lines longer than 75 octets are folded (continuation lines start with a space). */
function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  for (const ch of line) {
    if (Buffer.byteLength(cur + ch) > (out.length === 0 ? 75 : 74)) {
      out.push(cur);
      cur = '';
    }
    cur += ch;
  }
  out.push(cur);
  return out.join('\r\n ');
}

export interface FeedEvent {
  uid: string;
  summary: string;
  description: string;
  from: Date;
  to: Date;
}

/** An iCalendar document (VCALENDAR of VEVENTs in UTC). */
export function icalendar(name: string, events: readonly FeedEvent[], now: Date): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Esc//On-call//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${text(name)}`];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${stamp(now)}`, `DTSTART:${stamp(e.from)}`, `DTEND:${stamp(e.to)}`, `SUMMARY:${text(e.summary)}`, `DESCRIPTION:${text(e.description)}`, 'TRANSP:OPAQUE', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

const uidOf = (rotationId: string, s: Shift) => `${rotationId}-${s.role}-${s.personId}-${s.from.getTime()}@esc`;

export function icalRouter(deps: AppDeps): Router {
  const r = express.Router();
  const send = (res: Response, name: string, body: string) => {
    res.setHeader('content-type', 'text/calendar; charset=utf-8');
    res.setHeader('content-disposition', `inline; filename="${name}.ics"`);
    res.send(body);
  };
  const refuse = (res: Response) => res.status(403).json({ error: 'FORBIDDEN', message: 'That calendar link is not valid (any more): ask Esc for a new one (GET /api/rotations/:id/ical-url).' });

  /** `GET /<what>s/<id>.ics?token=`: the id, once the link's token is checked (else 403 or 503 sent). */
  const feedId = async (what: 'rotation' | 'person', req: Request, res: Response, next: () => void): Promise<string | null> => {
    const m = /^(.+)\.ics$/.exec(String(req.params.file));
    if (!m) return (next(), null);
    const key = await keyOr503(deps, res);
    if (!key) return null;
    if (!tokenOk(key, `${what}:${m[1]!}`, req.query.token)) return (refuse(res), null);
    return m[1]!;
  };

  r.get('/rotations/:file', async (req: Request, res: Response, next) => {
    const id = await feedId('rotation', req, res, next);
    if (id === null) return;
    const dir = deps.directory();
    const rot = dir.rotation(id);
    if (!rot) return void res.status(404).json({ error: 'NOT_FOUND', message: `No rotation "${id.slice(0, 40)}".` });
    const now = deps.clock.now();
    const team = dir.allTeams().find((t) => t.rotationId === rot.id);
    const from = new Date(now.getTime() - BACK_DAYS * DAY);
    const to = new Date(now.getTime() + AHEAD_DAYS * DAY);
    const events = rolesOf(rot).flatMap((role) =>
      dir.shifts(rot.id, from, to, role).map((s) => ({ uid: uidOf(rot.id, s), summary: `${dir.person(s.personId)?.name ?? s.personId} on call (${role})`, description: `${team?.name ?? rot.name ?? rot.id}, ${role}${s.override ? ', override' : ''}`, from: s.from, to: s.to })),
    );
    send(res, rot.id, icalendar(`${team?.name ?? rot.name ?? rot.id} on call`, events.sort((a, b) => a.from.getTime() - b.from.getTime()), now));
  });
  r.get('/people/:file', async (req: Request, res: Response, next) => {
    const id = await feedId('person', req, res, next);
    if (id === null) return;
    const dir = deps.directory();
    const p = dir.person(id);
    if (!p) return void res.status(404).json({ error: 'NOT_FOUND', message: `No person "${id.slice(0, 40)}".` });
    const now = deps.clock.now();
    const shifts = shiftsOf(dir, p.id, new Date(now.getTime() - BACK_DAYS * DAY), BACK_DAYS + AHEAD_DAYS);
    send(res, p.id, icalendar(`${p.name}: on call`, shifts.map((s) => ({ uid: uidOf(s.rotationId, s), summary: `On call: ${s.teamName} (${s.role})`, description: `${s.teamName}, ${s.role}${s.override ? ', override' : ''}`, from: s.from, to: s.to })), now));
  });
  return r;
}

/** The feed URLs for authenticated callers (the API router mounts these). */
export function icalUrlRouter(deps: AppDeps): Router {
  const r = express.Router();
  r.get('/rotations/:id/ical-url', allow('directory:read'), async (req, res) => {
    const id = String(req.params.id);
    if (!deps.directory().rotation(id)) return void res.status(404).json({ error: 'NOT_FOUND', message: `No rotation "${id.slice(0, 40)}".` });
    const key = await keyOr503(deps, res);
    if (!key) return;
    res.json({ url: `/api/rotations/${encodeURIComponent(id)}.ics?token=${feedToken(key, `rotation:${id}`)}` });
  });
  r.get('/people/:id/ical-url', allow('directory:read'), async (req, res) => {
    const id = String(req.params.id);
    if (!deps.directory().person(id)) return void res.status(404).json({ error: 'NOT_FOUND', message: `No person "${id.slice(0, 40)}".` });
    const key = await keyOr503(deps, res);
    if (!key) return;
    res.json({ url: `/api/people/${encodeURIComponent(id)}.ics?token=${feedToken(key, `person:${id}`)}` });
  });
  return r;
}
