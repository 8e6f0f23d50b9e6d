#!/usr/bin/env node
// Draws the Teams app icons (color.png 192x192, outline.png 32x32) with no image library:
// an upward chevron, "escalate". Run from the repo root: node manifests/teams/make-icons.mjs
/* global Buffer, URL, process */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

/** RGBA PNG from a pixel function (x, y) -> [r, g, b, a]. */
function png(size, pixel) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Coverage (0..1) of pixel (px, py) of a size x size image by a thick upward chevron and a bar, 4x4 supersampled. */
function chevron(px, py, size) {
  const inside = (x, y) => {
    const d1 = Math.abs(y - (0.62 - (0.5 - Math.abs(x - 0.5)) * 0.9));
    const onChevron = x > 0.2 && x < 0.8 && d1 < 0.085;
    const onBar = x > 0.3 && x < 0.7 && y > 0.7 && y < 0.8;
    return onChevron || onBar;
  };
  let n = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside((px + (i + 0.5) / 4) / size, (py + (j + 0.5) / 4) / size - 0.06)) n++;
  return n / 16;
}

const color = png(192, (x, y) => {
  const c = chevron(x, y, 192);
  const bg = [196, 49, 75];
  return [Math.round(bg[0] + (255 - bg[0]) * c), Math.round(bg[1] + (255 - bg[1]) * c), Math.round(bg[2] + (255 - bg[2]) * c), 255];
});
// Outline: white on transparent, as Teams requires.
const outline = png(32, (x, y) => [255, 255, 255, Math.round(255 * chevron(x, y, 32))]);
const dir = new URL('./', import.meta.url);
writeFileSync(new URL('color.png', dir), color);
writeFileSync(new URL('outline.png', dir), outline);
process.stdout.write(`color.png ${color.length} bytes, outline.png ${outline.length} bytes\n`);
