/** The most segments one page may cost. */
export const MAX_PAGE_SEGMENTS = 2;

/**
 * Look-alikes outside the GSM-7 alphabet that would turn a whole SMS into UCS-2 (70 characters
 * a segment instead of 160), mapped to GSM-7 characters. Only SMS text is changed this way.
 */
const GSM_LOOKALIKE: Record<string, string> = {
  '·': '-', '•': '-', '–': '-', '—': '-', '‐': '-', '‑': '-', '−': '-',
  '‘': "'", '’': "'", '‚': "'", '′': "'", '“': '"', '”': '"', '„': '"', '″': '"',
  '…': '...', '\u00A0': ' ', '\u2009': ' ', '\u202F': ' ', '\u200B': '', '→': '->', '←': '<-', '×': 'x',
};
const LOOKALIKE_RE = new RegExp(`[${Object.keys(GSM_LOOKALIKE).join('')}]`, 'g');

/** `text` with common typographic look-alikes replaced by GSM-7 characters. */
export function toGsm7(text: string): string {
  return text.replace(LOOKALIKE_RE, (c) => GSM_LOOKALIKE[c] ?? c);
}

/** GSM 03.38 basic alphabet (one septet each) and its extension table (an escape + one septet). */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/** Units per segment when the message is split: a user data header takes the rest. */
function countSegments(units: number[], single: number, multi: number): number {
  const total = units.reduce((a, b) => a + b, 0);
  if (total <= single) return 1;
  // A character (an escape pair, a surrogate pair) is never split across two segments.
  let segments = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > multi) {
      segments++;
      used = 0;
    }
    used += u;
  }
  return segments;
}

/**
 * The encoding an SMS goes in and how many segments it costs (GSM-7 160/153 septets, UCS-2
 * 70/67 code units). Hand-written because the npm calculator (sms-segments-calculator, used in
 * the tests as the reference) takes ~10 ms a message, too slow for a paging burst.
 */
export function smsSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number } {
  const chars = Array.from(text);
  if (chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c))) {
    return { encoding: 'GSM-7', segments: countSegments(chars.map((c) => (GSM_EXTENDED.has(c) ? 2 : 1)), 160, 153) };
  }
  return { encoding: 'UCS-2', segments: countSegments(chars.map((c) => c.length), 70, 67) };
}

/**
 * `head` cut short (with "...") so that `head + tail` fits in `max` segments; the tail (the
 * reply codes) is never cut. Binary search: segment counts grow with the length.
 */
export function fitSegments(head: string, tail: string, max = MAX_PAGE_SEGMENTS): string {
  const whole = head + tail;
  if (smsSegments(whole).segments <= max) return whole;
  const chars = Array.from(head); // code points: never split a surrogate pair
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (smsSegments(`${chars.slice(0, mid).join('').trimEnd()}...${tail}`).segments <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('').trimEnd()}...${tail}`;
}
