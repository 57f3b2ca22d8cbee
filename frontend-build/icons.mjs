// Raster versions of Borough's mark (favicon.ico and the Apple touch icon).
//
// The mark is a civic building - pediment, four columns, base - drawn on a 32-unit
// grid, the same shapes as src/borough/frontend/assets/images/favicon.svg. It is
// rasterised here with plain Node (no image libraries) so the build needs nothing
// beyond the npm packages in package.json.

import { deflateSync } from "node:zlib";

const BRAND = [0x00, 0x62, 0x5e];
const WHITE = [0xff, 0xff, 0xff];

// Shapes in the 32 x 32 design grid.
const TRIANGLES = [[[5, 12.5], [16, 5], [27, 12.5]]];
const RECTS = [
  [6, 13.5, 20, 2], // entablature
  [8, 16.5, 2.5, 8], // columns
  [12.5, 16.5, 2.5, 8],
  [17, 16.5, 2.5, 8],
  [21.5, 16.5, 2.5, 8],
  [5, 25.5, 22, 2.5], // base
];

function inTriangle(x, y, [a, b, c]) {
  const sign = (p, q, r) => (p[0] - r[0]) * (q[1] - r[1]) - (q[0] - r[0]) * (p[1] - r[1]);
  const p = [x, y];
  const d1 = sign(p, a, b);
  const d2 = sign(p, b, c);
  const d3 = sign(p, c, a);
  const hasNeg = d1 < 0 || d2 < 0 || d3 < 0;
  const hasPos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(hasNeg && hasPos);
}

function inMark(x, y) {
  if (RECTS.some(([rx, ry, w, h]) => x >= rx && x < rx + w && y >= ry && y < ry + h)) {
    return true;
  }
  return TRIANGLES.some((t) => inTriangle(x, y, t));
}

function inBackground(x, y, radius) {
  if (x < 0 || y < 0 || x >= 32 || y >= 32) return false;
  if (radius <= 0) return true;
  const cx = Math.min(Math.max(x, radius), 32 - radius);
  const cy = Math.min(Math.max(y, radius), 32 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** RGBA pixels for a size x size icon, 4 x 4 supersampled. */
function render(size, { radius }) {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) * 32) / size;
          const y = ((py + (sy + 0.5) / samples) * 32) / size;
          if (inBackground(x, y, radius)) {
            bg++;
            if (inMark(x, y)) fg++;
          }
        }
      }
      const n = samples * samples;
      const alpha = bg / n;
      const white = bg ? fg / bg : 0;
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) {
        pixels[i + c] = Math.round(BRAND[c] * (1 - white) + WHITE[c] * white);
      }
      pixels[i + 3] = Math.round(alpha * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG (8-bit RGBA) of the mark. */
export function png(size, { radius = 6 } = {}) {
  const pixels = render(size, { radius });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows = [];
  for (let y = 0; y < size; y++) {
    rows.push(Buffer.from([0]), pixels.subarray(y * size * 4, (y + 1) * size * 4));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A .ico holding PNG images (supported by every current browser). */
export function ico(sizes = [16, 32, 48]) {
  const images = sizes.map((size) => png(size, { radius: size <= 16 ? 3 : 6 }));
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map((image, i) => {
    const entry = Buffer.alloc(16);
    entry[0] = sizes[i] >= 256 ? 0 : sizes[i];
    entry[1] = sizes[i] >= 256 ? 0 : sizes[i];
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(image.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += image.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images]);
}
