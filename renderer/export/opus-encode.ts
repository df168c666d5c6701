/**
 * Opus encoding in the page with WebCodecs' AudioEncoder: Chromium's own libopus (BSD), so no
 * encoder ships with Riffroom and nothing runs in wasm. The raw packets it emits go into an Ogg
 * Opus file (./ogg-opus.ts) with the export's metadata.
 *
 * The audio is handed over at its own sample rate (Chromium resamples to Opus' 48 kHz inside the
 * encoder); exports render at 48 kHz for Opus so nothing is resampled at all.
 */
import type { ExportMetadata } from '../audio/export-metadata.ts';
import type { PcmAudio } from '../audio/wav.ts';
import { muxOggOpus, OPUS_RATE } from './ogg-opus.ts';

export interface OpusOptions {
  /** Bits per second for the whole stream; 160 kb/s stereo is transparent for most listeners. */
  bitrate?: number;
  metadata?: ExportMetadata;
}

export const DEFAULT_OPUS_BITRATE = 160_000;

/** libopus' look-ahead at 48 kHz (6.5 ms), used when the encoder does not say its own. */
const DEFAULT_PRE_SKIP = 312;

/** Frames handed to the encoder per AudioData (100 ms at 48 kHz). */
const CHUNK_FRAMES = 4800;

/** Why Opus export cannot run in this page, or null when it can. */
export async function opusUnsupported(sampleRate: number, channels: number): Promise<string | null> {
  if (typeof AudioEncoder === 'undefined') return 'this browser has no WebCodecs AudioEncoder (Chromium 94+ has)';
  const { supported } = await AudioEncoder.isConfigSupported({
    codec: 'opus',
    sampleRate,
    numberOfChannels: channels,
    bitrate: DEFAULT_OPUS_BITRATE,
  });
  return supported ? null : `this browser cannot encode Opus at ${sampleRate} Hz, ${channels} channels`;
}

export async function encodeOggOpus(audio: PcmAudio, options: OpusOptions = {}): Promise<Uint8Array> {
  const { sampleRate, channels } = audio;
  const channelCount = channels.length;
  if (channelCount < 1 || channelCount > 2) throw new Error(`encodeOggOpus: ${channelCount} channels (mono or stereo only)`);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new Error('encodeOggOpus: channels differ in length');
  const why = await opusUnsupported(sampleRate, channelCount);
  if (why) throw new Error(`Opus export: ${why}`);
  const packets: Uint8Array[] = [];
  let preSkip: number | null = null;
  let failure: Error | null = null;
  const encoder = new AudioEncoder({
    output(chunk, metadata) {
      const bytes = new Uint8Array(chunk.byteLength);
      chunk.copyTo(bytes);
      packets.push(bytes);
      // Chromium hands over an OpusHead as the decoder config's description: its pre-skip is the
      // encoder's real look-ahead.
      const description = metadata?.decoderConfig?.description;
      if (preSkip === null && description) preSkip = preSkipOf(description);
    },
    error(e) {
      failure = e instanceof Error ? e : new Error(String(e));
    },
  });
  try {
    encoder.configure({ codec: 'opus', sampleRate, numberOfChannels: channelCount, bitrate: options.bitrate ?? DEFAULT_OPUS_BITRATE });
    for (let start = 0; start < frames; start += CHUNK_FRAMES) {
      const count = Math.min(CHUNK_FRAMES, frames - start);
      const planar = new Float32Array(count * channelCount);
      for (let c = 0; c < channelCount; c++) planar.set(channels[c]!.subarray(start, start + count), c * count);
      const data = new AudioData({
        format: 'f32-planar',
        sampleRate,
        numberOfFrames: count,
        numberOfChannels: channelCount,
        timestamp: Math.round((start / sampleRate) * 1e6),
        data: planar,
      });
      encoder.encode(data);
      data.close();
      // Let the encoder drain now and then, so a long song does not queue minutes of audio.
      if (encoder.encodeQueueSize > 8)
        await new Promise<void>((resolve) => encoder.addEventListener('dequeue', () => resolve(), { once: true }));
      if (failure) throw failure;
    }
    await encoder.flush();
    if (failure) throw failure;
  } finally {
    if (encoder.state !== 'closed') encoder.close();
  }
  return muxOggOpus({
    packets,
    channels: channelCount,
    preSkip: preSkip ?? DEFAULT_PRE_SKIP,
    inputSampleRate: sampleRate,
    length: Math.round((frames * OPUS_RATE) / sampleRate),
    metadata: options.metadata,
  });
}

/** The pre-skip field of an OpusHead (bytes 10-11), or null when the description is not one. */
function preSkipOf(description: AllowSharedBufferSource): number | null {
  const bytes = ArrayBuffer.isView(description)
    ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength)
    : new Uint8Array(description);
  if (bytes.length < 19 || new TextDecoder().decode(bytes.subarray(0, 8)) !== 'OpusHead') return null;
  return bytes[10]! | (bytes[11]! << 8);
}
