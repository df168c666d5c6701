/**
 * Token shard files (see FORMAT.md): `<split>.bin` holds uint16 token ids back to back,
 * `<split>.idx` one (offset, length) pair of uint32 per example.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class ShardWriter {
  private readonly binFd: number;
  private readonly idxFd: number;
  private offset = 0;
  examples = 0;

  constructor(dir: string, split: string) {
    this.binFd = openSync(join(dir, `${split}.bin`), 'w');
    this.idxFd = openSync(join(dir, `${split}.idx`), 'w');
  }

  write(tokens: readonly number[]): void {
    const data = Uint16Array.from(tokens);
    writeSync(this.binFd, new Uint8Array(data.buffer));
    writeSync(this.idxFd, new Uint8Array(Uint32Array.of(this.offset, tokens.length).buffer));
    this.offset += tokens.length;
    this.examples++;
  }

  close(): void {
    closeSync(this.binFd);
    closeSync(this.idxFd);
  }
}

/** Every example of a split, as views into the shard (little-endian hosts, as Node runs on). */
export function* readShardExamples(dir: string, split: string): Generator<Uint16Array> {
  const bin = readFileSync(join(dir, `${split}.bin`));
  const idx = readFileSync(join(dir, `${split}.idx`));
  const tokens = new Uint16Array(bin.buffer, bin.byteOffset, bin.byteLength / 2);
  const rows = new Uint32Array(idx.buffer, idx.byteOffset, idx.byteLength / 4);
  for (let r = 0; r < rows.length; r += 2) yield tokens.subarray(rows[r]!, rows[r]! + rows[r + 1]!);
}
