/**
 * The payload's error protection: 64 bits and a CRC-16 (CCITT) that says whether a decoded
 * payload is the one embedded, then a rate-1/2 convolutional code (constraint length 7, the
 * 171/133 octal generators of NASA/802.11), decoded with soft decisions by Viterbi. 80 data bits
 * and 6 zero tail bits make 172 coded bits.
 */
export const PAYLOAD_BITS = 64;
const CRC_BITS = 16;
const K = 7;
const G1 = 0o171;
const G2 = 0o133;
export const DATA_BITS = PAYLOAD_BITS + CRC_BITS;
export const CODED_BITS = 2 * (DATA_BITS + K - 1);

/** CRC-16/CCITT-FALSE of the payload's 8 bytes, big-endian. */
export function crc16(payload: bigint): number {
  let crc = 0xffff;
  for (let byte = 7; byte >= 0; byte--) {
    crc ^= Number((payload >> BigInt(byte * 8)) & 0xffn) << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function parity(x: number): number {
  let p = 0;
  while (x) {
    p ^= x & 1;
    x >>= 1;
  }
  return p;
}

/** The payload and its CRC as bits (0/1), most significant first. */
export function dataBits(payload: bigint): Uint8Array {
  if (payload < 0n || payload >= 1n << BigInt(PAYLOAD_BITS)) throw new Error('The watermark payload is 64 bits');
  const bits = new Uint8Array(DATA_BITS);
  for (let i = 0; i < PAYLOAD_BITS; i++) bits[i] = Number((payload >> BigInt(PAYLOAD_BITS - 1 - i)) & 1n);
  const crc = crc16(payload);
  for (let i = 0; i < CRC_BITS; i++) bits[PAYLOAD_BITS + i] = (crc >> (CRC_BITS - 1 - i)) & 1;
  return bits;
}

/** The coded bits (0/1) for the payload: CODED_BITS of them. */
export function encodePayload(payload: bigint): Uint8Array {
  const input = [...dataBits(payload), ...new Array<number>(K - 1).fill(0)];
  const out = new Uint8Array(CODED_BITS);
  let state = 0;
  input.forEach((bit, i) => {
    state = ((state << 1) | bit) & ((1 << K) - 1);
    out[2 * i] = parity(state & G1);
    out[2 * i + 1] = parity(state & G2);
  });
  return out;
}

export interface Decoded {
  payload: bigint;
  /** Whether the decoded CRC matches the decoded payload. */
  crcOk: boolean;
}

/**
 * Soft Viterbi: `soft[i] > 0` is evidence that coded bit i is 1 (its size, how much). Returns the
 * most likely payload and whether its CRC checks.
 */
export function decodePayload(soft: Float64Array): Decoded {
  const states = 1 << (K - 1);
  const steps = DATA_BITS + K - 1;
  let metric = new Float64Array(states).fill(-Infinity);
  metric[0] = 0;
  const from = new Uint8Array(steps * states);
  const outputs: [number, number][] = [];
  for (let s = 0; s < 1 << K; s++) outputs.push([parity(s & G1) * 2 - 1, parity(s & G2) * 2 - 1]);
  for (let step = 0; step < steps; step++) {
    const a = soft[2 * step]!;
    const b = soft[2 * step + 1]!;
    const next = new Float64Array(states).fill(-Infinity);
    const tail = step >= DATA_BITS;
    for (let s = 0; s < states; s++) {
      if (metric[s] === -Infinity) continue;
      for (let bit = 0; bit <= (tail ? 0 : 1); bit++) {
        const full = (s << 1) | bit;
        const [o1, o2] = outputs[full]!;
        const m = metric[s]! + o1 * a + o2 * b;
        const ns = full & (states - 1);
        if (m > next[ns]!) {
          next[ns] = m;
          from[step * states + ns] = s >> (K - 2) ? 1 : 0; // the bit shifted out: the oldest of s
        }
      }
    }
    metric = next;
  }
  // Trace back from state 0 (the tail flushed the register).
  const bits = new Uint8Array(steps);
  let state = 0;
  for (let step = steps - 1; step >= 0; step--) {
    bits[step] = state & 1;
    const oldest = from[step * states + state]!;
    state = (state >> 1) | (oldest << (K - 2));
  }
  let payload = 0n;
  for (let i = 0; i < PAYLOAD_BITS; i++) payload = (payload << 1n) | BigInt(bits[i]!);
  let crc = 0;
  for (let i = 0; i < CRC_BITS; i++) crc = (crc << 1) | bits[PAYLOAD_BITS + i]!;
  return { payload, crcOk: crc === crc16(payload) };
}
