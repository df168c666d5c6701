/**
 * Check a file…'s second question for audio (WAV, Opus): does it carry Riffroom's watermark? The
 * browser decodes the file (decodeAudioData: WAV and Ogg Opus both), and core/watermark's
 * detector looks for the mark; what it found is said in one sentence.
 */
import { detectWatermark, type WatermarkDetection } from '../../core/watermark/index.ts';
import { formatPayload } from '../export/watermark.ts';

/** The words for a detection: found (with the export's code when it could be read), or not. */
export function describeWatermark(detection: WatermarkDetection): string {
  if (!detection.found) return 'No Riffroom watermark found in the audio.';
  const code =
    detection.payload === null
      ? 'its code could not be read (too short or too altered)'
      : `naming export ${formatPayload(detection.payload)}`;
  return `The audio carries Riffroom's watermark (confidence z = ${detection.confidence.toFixed(1)}), ${code}.`;
}

/** The page's decoder, typed structurally (this module is also checked without DOM types). */
interface DecodedAudio {
  numberOfChannels: number;
  sampleRate: number;
  getChannelData(channel: number): Float32Array;
}
type OfflineContext = new (
  channels: number,
  length: number,
  sampleRate: number,
) => { decodeAudioData(data: ArrayBuffer): Promise<DecodedAudio> };

/** Decodes `bytes` with the page's audio decoder and looks for the mark. */
export async function checkWatermark(bytes: Uint8Array): Promise<WatermarkDetection> {
  const { OfflineAudioContext } = globalThis as unknown as { OfflineAudioContext: OfflineContext };
  const context = new OfflineAudioContext(1, 1, 48_000);
  const audio = await context.decodeAudioData(bytes.slice().buffer);
  const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
  return detectWatermark(channels, audio.sampleRate);
}
