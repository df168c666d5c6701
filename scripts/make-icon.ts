/**
 * Draws the app icon, build/icon.png (1024×1024 RGBA), from code: a rounded violet square with
 * five orange level bars (a band playing). electron-builder makes the macOS .icns, the Windows
 * .ico and the Linux sizes from it. Deterministic: running it again gives the same bytes.
 *
 *   node scripts/make-icon.ts [--out build/icon.png] [--size 1024]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';

/** Signed distance from (px, py) to a rounded rectangle centred at (cx, cy). */
function roundedRectDistance(px: number, py: number, cx: number, cy: number, halfW: number, halfH: number, radius: number): number {
  const qx = Math.abs(px - cx) - (halfW - radius);
  const qy = Math.abs(py - cy) - (halfH - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

const coverage = (distance: number) => Math.min(1, Math.max(0, 0.5 - distance));

export function drawIcon(size: number): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  const s = size / 1024;
  const bars = [0.42, 0.7, 0.95, 0.6, 0.8]; // heights as a share of the bar area
  const barWidth = 96 * s;
  const gap = 44 * s;
  const left = size / 2 - (bars.length * barWidth + (bars.length - 1) * gap) / 2;
  const bottom = 800 * s;
  const maxHeight = 560 * s;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      // Background: rounded square with a vertical violet gradient.
      const bg = coverage(roundedRectDistance(px, py, size / 2, size / 2, 462 * s, 462 * s, 200 * s));
      const t = y / size;
      let r = 88 + (46 - 88) * t;
      let g = 44 + (22 - 44) * t;
      let b = 160 + (98 - 160) * t;
      // Bars: warm orange, rounded ends.
      let bar = 0;
      bars.forEach((h, i) => {
        const height = h * maxHeight;
        const cx = left + i * (barWidth + gap) + barWidth / 2;
        const cy = bottom - height / 2;
        bar = Math.max(bar, coverage(roundedRectDistance(px, py, cx, cy, barWidth / 2, height / 2, barWidth / 2)));
      });
      r += (255 - r) * bar;
      g += (164 - g) * bar;
      b += (61 - b) * bar;
      const o = (y * size + x) * 4;
      rgba[o] = Math.round(r);
      rgba[o + 1] = Math.round(g);
      rgba[o + 2] = Math.round(b);
      rgba[o + 3] = Math.round(255 * bg);
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes RGBA pixels as a PNG (8-bit, colour type 6, no filtering). */
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, size: { type: 'string', default: '1024' } } });
  const size = Number(values.size);
  if (!Number.isInteger(size) || size < 16 || size > 4096) throw new Error('--size must be 16..4096');
  const out = resolve(values.out ?? fileURLToPath(new URL('../build/icon.png', import.meta.url)));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodePng(drawIcon(size), size, size));
  console.log(`make-icon: wrote ${out} (${size}x${size})`);
}
