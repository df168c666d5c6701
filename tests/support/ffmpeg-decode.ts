/**
 * Debian's ffmpeg as the independent decoder the export tests read files back with: what a
 * musician's other tools will see. `requireFfmpeg` fails a test (never skips it) when ffmpeg is
 * not installed, naming how to install it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function ffmpegMissing(): string | null {
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const r = spawnSync(tool, ['-version'], { stdio: 'ignore' });
    if (r.error || r.status !== 0)
      return `${tool} is not installed: run \`bash scripts/setup-audio-tools.sh\` (or \`apt-get install -y ffmpeg\`) as root`;
  }
  return null;
}

export function requireFfmpeg(): void {
  const missing = ffmpegMissing();
  if (missing) throw new Error(missing);
}

/** Writes bytes to a fresh temp file, runs `fn` on its path, removes it. */
export function withTempFile<T>(name: string, bytes: Uint8Array, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-export-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Probe {
  codec: string;
  sampleRate: number;
  channels: number;
  /** Bits per decoded sample as ffprobe reports them (0 when the codec has none). */
  bitsPerSample: number;
  /** Seconds, from the container. */
  duration: number;
  /** Container tags, keys lower-cased (ffmpeg maps INAM to title, ICMT to comment…). */
  tags: Record<string, string>;
}

export function ffprobe(path: string): Probe {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path], { encoding: 'utf8' });
  const json = JSON.parse(out) as { streams: Record<string, unknown>[]; format: { duration?: string; tags?: Record<string, string> } };
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  if (!audio) throw new Error(`ffprobe: no audio stream in ${path}`);
  const tags: Record<string, string> = {};
  for (const source of [json.format.tags ?? {}, (audio.tags as Record<string, string> | undefined) ?? {}]) {
    for (const [k, v] of Object.entries(source)) tags[k.toLowerCase()] = v;
  }
  return {
    codec: String(audio.codec_name),
    sampleRate: Number(audio.sample_rate),
    channels: Number(audio.channels),
    bitsPerSample: Number(audio.bits_per_raw_sample ?? audio.bits_per_sample ?? 0),
    duration: Number(json.format.duration ?? audio.duration),
    tags,
  };
}

/** Decodes any file ffmpeg reads to float channels at its own sample rate. */
export function ffmpegDecode(path: string): { sampleRate: number; channels: Float32Array[] } {
  const probe = ffprobe(path);
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', '-acodec', 'pcm_f32le', '-'], { maxBuffer: 1 << 30 });
  // Copied: a Buffer's byteOffset need not be a multiple of 4.
  const all = new Float32Array(Uint8Array.from(raw).buffer);
  const frames = Math.floor(all.length / probe.channels);
  const channels = Array.from({ length: probe.channels }, (_, c) =>
    Float32Array.from({ length: frames }, (_, i) => all[i * probe.channels + c]!),
  );
  return { sampleRate: probe.sampleRate, channels };
}

/** Integrated loudness (LUFS) by ffmpeg's ebur128 filter (EBU R128 / ITU-R BS.1770). */
export function ffmpegLoudness(path: string): number {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-af', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ebur128 failed on ${path}: ${r.stderr.slice(-500)}`);
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
  const match = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  if (!match) throw new Error(`ffmpeg ebur128: no integrated loudness in its summary:\n${summary}`);
  return match[1] === '-inf' ? -Infinity : Number(match[1]);
}
