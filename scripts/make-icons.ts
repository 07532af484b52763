// Writes the Azure DevOps extension's icons (the Marketplace's `icons.default` in
// vss-extension.json, and the task's icon.png, which the pipeline editor shows): 128 x 128 PNGs,
// drawn here pixel by pixel and encoded with node:zlib, so that they are reproducible from this
// script and hold nothing but the picture. Run it after changing the picture, and commit both:
//
//   node scripts/make-icons.ts

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const root = join(import.meta.dirname, '..');
const SIZE = 128;
const ICONS = ['azure-devops/images/icon.png', 'azure-devops/CheckmarxAuth/icon.png'];

type Rgba = readonly [number, number, number, number];
const CLEAR: Rgba = [0, 0, 0, 0];
const TEAL: Rgba = [0, 120, 130, 255];
const WHITE: Rgba = [255, 255, 255, 255];

/** A key on a rounded teal square: a ring for the bow, a shaft, two teeth. */
function pixel(x: number, y: number): Rgba {
  const inset = 4;
  const radius = 22;
  const cx = Math.min(Math.max(x, inset + radius), SIZE - 1 - inset - radius);
  const cy = Math.min(Math.max(y, inset + radius), SIZE - 1 - inset - radius);
  if ((x - cx) ** 2 + (y - cy) ** 2 > radius ** 2) return CLEAR;
  const bow = Math.hypot(x - 42, y - 64);
  if (bow <= 22 && bow >= 11) return WHITE;
  const shaft = x >= 62 && x <= 108 && y >= 59 && y <= 69;
  const teeth = (x >= 86 && x <= 93 && y > 69 && y <= 84) || (x >= 100 && x <= 108 && y > 69 && y <= 80);
  return shaft || teeth ? WHITE : TEAL;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A SIZE x SIZE, 8-bit RGBA PNG of pixel(). */
function iconPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, RGBA, deflate, no filter method, not interlaced
  const rows = Buffer.alloc(SIZE * (1 + SIZE * 4));
  for (let y = 0; y < SIZE; y++) {
    const row = y * (1 + SIZE * 4); // each row starts with filter type 0 (none)
    for (let x = 0; x < SIZE; x++) rows.set(pixel(x, y), row + 1 + x * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

for (const icon of ICONS) {
  mkdirSync(dirname(join(root, icon)), { recursive: true });
  writeFileSync(join(root, icon), iconPng());
}
