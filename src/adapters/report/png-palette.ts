import { deflateSync } from 'node:zlib';

/**
 * A small indexed-colour PNG encoder for charts drawn in a few known ink colours on white.
 * Every pixel maps to the nearest of: white, and each ink blended with white at 16 levels
 * (the anti-aliased edges of lines and text), so the image looks the same as the RGBA one
 * at a third of the bytes (one byte per pixel, long runs for zlib).
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const hex = (h: string): [number, number, number] => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

/** The palette: white, then each ink at 16 strengths over white (≤ 256 entries). */
export function inkPalette(inks: string[], levels = 16): [number, number, number][] {
  const out: [number, number, number][] = [[255, 255, 255]];
  for (const ink of inks.slice(0, Math.floor(255 / levels))) {
    const [r, g, b] = hex(ink);
    for (let l = 1; l <= levels; l++) {
      const a = l / levels;
      out.push([Math.round(255 + (r - 255) * a), Math.round(255 + (g - 255) * a), Math.round(255 + (b - 255) * a)]);
    }
  }
  return out;
}

/** Encodes RGBA pixels (alpha ignored: drawn on white) as an 8-bit indexed PNG. */
export function encodeIndexedPng(rgba: Uint8Array, width: number, height: number, palette: [number, number, number][]): Buffer {
  const cache = new Map<number, number>();
  const nearest = (r: number, g: number, b: number) => {
    const k = (r << 16) | (g << 8) | b;
    let idx = cache.get(k);
    if (idx === undefined) {
      let best = Infinity;
      idx = 0;
      for (let i = 0; i < palette.length; i++) {
        const p = palette[i]!;
        const d = (p[0] - r) ** 2 + (p[1] - g) ** 2 + (p[2] - b) ** 2;
        if (d < best) {
          best = d;
          idx = i;
        }
      }
      cache.set(k, idx);
    }
    return idx;
  };
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      raw[y * (width + 1) + 1 + x] = nearest(rgba[o]!, rgba[o + 1]!, rgba[o + 2]!);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // indexed colour
  const plte = Buffer.from(palette.flat());
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('PLTE', plte), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
