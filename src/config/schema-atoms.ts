/** The small validators every part of the org file uses. */
import { IANAZone } from 'luxon';
import { z } from 'zod/v4';

export const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, 'an id: letters, digits, . _ - (max 63)');
export const hm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'a time of day HH:mm');
// luxon knows current names (Asia/Kolkata, Europe/Kyiv) that Node 20's Intl list lacks.
export const zone = z.string().refine((s) => IANAZone.isValidZone(s), 'an IANA time zone, e.g. Europe/Berlin');
export const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'a phone number in E.164 form, e.g. +15105550101');
export const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
export const instant = z.union([z.date(), z.string().datetime({ offset: true })]).transform((v) => new Date(v));

