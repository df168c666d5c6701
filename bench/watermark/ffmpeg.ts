/**
 * The real-world transforms the watermark must survive, by Debian's ffmpeg (libmp3lame for MP3,
 * its own swresample for rate changes): a WAV in, float PCM back. `ffmpegMissing()` says why they
 * cannot run (the bench and the test skip with that message).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../renderer/audio/wav.ts';

export function ffmpegMissing(): string | null {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error || r.status !== 0)
    return 'ffmpeg is not installed: run `bash scripts/setup-audio-tools.sh` (or `apt-get install -y ffmpeg`) as root';
  if (!/libmp3lame/.test(r.stdout)) return "this ffmpeg has no libmp3lame encoder (Debian's ffmpeg has it)";
  return null;
}

function decodeToFloat(path: string, channels: number, sampleRate?: number): Float32Array[] {
  const args = ['-v', 'error', '-i', path, '-f', 'f32le', '-ac', String(channels)];
  if (sampleRate) args.push('-ar', String(sampleRate));
  const raw = execFileSync('ffmpeg', [...args, 'pipe:1'], { maxBuffer: 1 << 30 });
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const frames = all.length / channels;
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[c]![i] = all[i * channels + c]!;
  return out;
}

function withWav<T>(channels: Float32Array[], sampleRate: number, fn: (dir: string, wav: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-watermark-'));
  try {
    const wav = join(dir, 'x.wav');
    writeFileSync(wav, encodeWav({ sampleRate, channels }, { bitDepth: 24 }));
    return fn(dir, wav);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `ffmpeg -i x.wav -codec:a libmp3lame -b:a 128k x.mp3`, decoded back to float (same rate). */
export function mp3RoundTrip(channels: Float32Array[], sampleRate: number, bitrate = '128k'): Float32Array[] {
  return withWav(channels, sampleRate, (dir, wav) => {
    const mp3 = join(dir, 'x.mp3');
    execFileSync('ffmpeg', ['-v', 'error', '-i', wav, '-codec:a', 'libmp3lame', '-b:a', bitrate, mp3]);
    return decodeToFloat(mp3, channels.length);
  });
}

/**
 * Opus at `bitrate` through ffmpeg's libopus (the codec the app's Opus export uses, via WebCodecs),
 * decoded back at `sampleRate` (Opus itself runs at 48 kHz).
 */
export function opusRoundTrip(channels: Float32Array[], sampleRate: number, bitrate = '160k'): Float32Array[] {
  return withWav(channels, sampleRate, (dir, wav) => {
    const opus = join(dir, 'x.opus');
    execFileSync('ffmpeg', ['-v', 'error', '-i', wav, '-codec:a', 'libopus', '-b:a', bitrate, opus]);
    return decodeToFloat(opus, channels.length, sampleRate);
  });
}

/** ffmpeg's resampler (swresample, its defaults) from `sampleRate` to `toRate`. */
export function ffmpegResample(channels: Float32Array[], sampleRate: number, toRate: number): Float32Array[] {
  return withWav(channels, sampleRate, (_dir, wav) => decodeToFloat(wav, channels.length, toRate));
}
