/**
 * File IO for the n-gram baseline (Node only; ngram.ts itself stays browser-safe): reading token
 * shards (FORMAT.md) and saving/loading models gzip'ed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { deserializeNgram, serializeNgram } from './ngram.ts';
import type { NgramModel } from './ngram.ts';

/**
 * The examples of one split, as views into `<dir>/<split>.bin`. The files are read afresh on each
 * iteration, so the result can be iterated more than once (e.g. fit, then evaluate).
 */
export function readShard(dir: string, split: 'train' | 'valid'): Iterable<Uint16Array> {
  return {
    *[Symbol.iterator]() {
      const binPath = join(dir, `${split}.bin`);
      const idxPath = join(dir, `${split}.idx`);
      const bin = readFileSync(binPath);
      const idx = readFileSync(idxPath);
      if (bin.length % 2 !== 0) throw new Error(`${binPath}: odd byte length ${bin.length}`);
      if (idx.length % 8 !== 0) throw new Error(`${idxPath}: byte length ${idx.length} is not a multiple of 8`);
      // Copy into our own buffer: Buffers may sit at odd offsets in a shared pool, and views need
      // 2-byte alignment. DataView keeps the little-endian reading explicit.
      const tokens = new Uint16Array(bin.length / 2);
      const binView = new DataView(bin.buffer, bin.byteOffset, bin.length);
      for (let i = 0; i < tokens.length; i++) tokens[i] = binView.getUint16(2 * i, true);
      const idxView = new DataView(idx.buffer, idx.byteOffset, idx.length);
      for (let row = 0; row < idx.length / 8; row++) {
        const offset = idxView.getUint32(8 * row, true);
        const length = idxView.getUint32(8 * row + 4, true);
        if (offset + length > tokens.length) {
          throw new Error(
            `${idxPath}: example ${row} (offset ${offset}, length ${length}) runs past the ${tokens.length} tokens of ${binPath}`,
          );
        }
        yield tokens.subarray(offset, offset + length);
      }
    },
  };
}

export function saveNgram(path: string, model: NgramModel): void {
  // Default level: level 9 is ~8x slower for ~3% smaller files.
  writeFileSync(path, gzipSync(serializeNgram(model)));
}

/** Loads a model written by saveNgram (also accepts the raw, un-gzip'ed bytes). */
export function loadNgram(path: string): NgramModel {
  const bytes = readFileSync(path);
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return deserializeNgram(new Uint8Array(gzipped ? gunzipSync(bytes) : bytes));
}
