/**
 * 16-bit PCM WAV (RIFF/WAVE) encoding of float channels, and a reader for the same format so the
 * tests can check a round trip. Samples are clamped to [-1, 1] and rounded to the nearest step
 * (no dither: the output is deterministic, and the mix already sits well below full scale).
 */

export interface PcmAudio {
  sampleRate: number;
  /** One array per channel, equal lengths, samples in [-1, 1]. */
  channels: Float32Array[];
}

const HEADER_BYTES = 44;

export function encodeWav(audio: PcmAudio): Uint8Array {
  const { sampleRate, channels } = audio;
  const channelCount = channels.length;
  if (channelCount < 1) throw new Error('encodeWav: no channels');
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new Error('encodeWav: channels differ in length');
  const blockAlign = channelCount * 2;
  const dataBytes = frames * blockAlign;
  const bytes = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true); // byte rate
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  let offset = HEADER_BYTES;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channelCount; c++) {
      view.setInt16(offset, floatToInt16(channels[c]![i]!), true);
      offset += 2;
    }
  }
  return bytes;
}

/** Full scale maps to ±32767, so +1 and -1 are symmetric and never wrap. */
export function floatToInt16(sample: number): number {
  const s = Number.isNaN(sample) ? 0 : Math.max(-1, Math.min(1, sample));
  // Rounded half away from zero, so a signal and its negation encode to exact negatives.
  return Math.sign(s) * Math.round(Math.abs(s) * 32767);
}

/** Reads a 16-bit PCM WAV as written by encodeWav (and by most tools: it skips unknown chunks). */
export function decodeWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('decodeWav: not a RIFF/WAVE file');
  let offset = 12;
  let channelCount = 0;
  let sampleRate = 0;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (view.getUint16(body, true) !== 1 || view.getUint16(body + 14, true) !== 16) throw new Error('decodeWav: only 16-bit PCM');
      channelCount = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
    } else if (id === 'data') {
      if (!channelCount) throw new Error('decodeWav: data before fmt');
      const frames = Math.floor(Math.min(size, bytes.length - body) / (2 * channelCount));
      const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < channelCount; c++) channels[c]![i] = view.getInt16(body + (i * channelCount + c) * 2, true) / 32767;
      }
      return { sampleRate, channels };
    }
    offset = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new Error('decodeWav: no data chunk');
}
