/**
 * node scripts/check-watermark.ts <file>… (npm run watermark:check -- <file>) — is Riffroom's
 * audio watermark in these files? WAV is read directly; anything else (MP3, Opus, FLAC…) is
 * decoded by ffmpeg when it is installed. Prints one line per file and exits 0 when every file
 * carries the mark, 1 when one does not, 2 on an error.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { detectWatermark } from '../core/watermark/index.ts';
import { decodeWav } from '../renderer/audio/wav.ts';

function readAudio(path: string): { channels: Float32Array[]; sampleRate: number } {
  if (/\.wav$/i.test(path)) {
    const wav = decodeWav(new Uint8Array(readFileSync(path)));
    return { channels: wav.channels, sampleRate: wav.sampleRate };
  }
  // ffmpeg decodes to 48 kHz stereo float; the detector resamples to its own rate anyway.
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', '-ac', '2', '-ar', '48000', 'pipe:1'], {
    maxBuffer: 1 << 30,
  });
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const channels = [new Float32Array(all.length / 2), new Float32Array(all.length / 2)];
  for (let i = 0; i < all.length / 2; i++) {
    channels[0]![i] = all[2 * i]!;
    channels[1]![i] = all[2 * i + 1]!;
  }
  return { channels, sampleRate: 48_000 };
}

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node scripts/check-watermark.ts <audio file>…');
  process.exit(2);
}
let status = 0;
for (const file of files) {
  try {
    const { channels, sampleRate } = readAudio(file);
    const d = detectWatermark(channels, sampleRate);
    const payload = d.payload === null ? 'payload unreadable' : `payload ${d.payload.toString(16).padStart(16, '0')}`;
    console.log(
      d.found
        ? `${file}: Riffroom watermark found (${payload}, confidence z = ${d.confidence.toFixed(1)})`
        : `${file}: no Riffroom watermark found (confidence z = ${d.confidence.toFixed(1)})`,
    );
    if (!d.found) status = Math.max(status, 1);
  } catch (error) {
    console.error(`${file}: ${(error as Error).message}`);
    status = 2;
  }
}
process.exit(status);
