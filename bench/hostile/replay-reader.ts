/**
 * Reads a GET /api/rooms/<room>/updates answer (contract.ts: per entry varuint seq, varuint byte
 * length, the update) as it streams in, chunk by chunk, without keeping it: it counts the entries
 * and remembers the last seq (where the next page starts), skipping the updates' bytes. A
 * downloading attacker needs no more, and the bench process stays light at hundreds of MB/s.
 */
export class ReplayReader {
  entries = 0;
  lastSeq = 0;
  bytes = 0;
  private field: 'seq' | 'length' | 'update' = 'seq';
  private value = 0;
  private shift = 0;
  private remaining = 0;

  push(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    let i = 0;
    while (i < chunk.byteLength) {
      if (this.field === 'update') {
        const take = Math.min(this.remaining, chunk.byteLength - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endEntry();
        continue;
      }
      const byte = chunk[i++]!;
      this.value += (byte & 0x7f) * 2 ** this.shift;
      this.shift += 7;
      if (byte & 0x80) continue;
      const value = this.value;
      this.value = 0;
      this.shift = 0;
      if (this.field === 'seq') {
        this.lastSeq = value;
        this.field = 'length';
      } else if (value === 0) {
        this.endEntry();
      } else {
        this.remaining = value;
        this.field = 'update';
      }
    }
  }

  /** True when the bytes so far end exactly after an entry (no entry cut short). */
  get complete(): boolean {
    return this.field === 'seq' && this.shift === 0;
  }

  private endEntry(): void {
    this.entries++;
    this.field = 'seq';
  }
}
