/**
 * The audio watermark on exports (core/watermark/): an inaudible mark carrying 64 bits that name
 * the export, on by default when the exported bars hold parts the AI bandmate wrote (the dialog
 * says so and can turn it off). The mix and every stem carry the same payload, so a stem that
 * travels on its own still says where it came from.
 */
import { sha256 } from '../../core/hash/sha256.ts';
import type { Song } from '../../core/song/types.ts';
import { embedWatermark } from '../../core/watermark/index.ts';

/** Whether the bars `range` (toBar exclusive) hold a clip the model generated: the mark's default. */
export function hasModelParts(song: Song, range?: { fromBar: number; toBar: number }): boolean {
  const heard = new Set(song.tracks.map((t) => t.id));
  return song.clips.some(
    (c) =>
      heard.has(c.trackId) &&
      c.provenance?.source === 'model' &&
      (!range || (c.startBar < range.toBar && c.startBar + c.lengthBars > range.fromBar)),
  );
}

/** 64 bits naming one export: the first 8 bytes of SHA-256 over the title and the moment of export. */
export function exportPayload(title: string, exportedAt: Date): bigint {
  const digest = sha256(new TextEncoder().encode(`riffroom-export\n${title}\n${exportedAt.toISOString()}`));
  let payload = 0n;
  for (let i = 0; i < 8; i++) payload = (payload << 8n) | BigInt(digest[i]!);
  return payload;
}

/** The payload as people read it (and "Check a file…" shows it): 16 hex digits. */
export function formatPayload(payload: bigint): string {
  return payload.toString(16).padStart(16, '0');
}

interface Pcm {
  sampleRate: number;
  channels: Float32Array[];
}

/**
 * A copy of `rendered` (export-song.ts's RenderedExport: generic so that this module, and its Node
 * test, stay free of the browser-only Opus encoder) whose mix and stems carry the mark; the
 * rendered buffers are kept as they were.
 */
export function watermarkRendered<T extends { mix: Pcm; stems: readonly { audio: Pcm }[] }>(rendered: T, payload: bigint): T {
  const mark = <A extends Pcm>(audio: A): A => ({ ...audio, channels: embedWatermark(audio.channels, audio.sampleRate, payload) });
  return { ...rendered, mix: mark(rendered.mix), stems: rendered.stems.map((s) => ({ ...s, audio: mark(s.audio) })) };
}
