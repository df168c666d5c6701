/**
 * The export pipeline, in two steps so the mastering step (renderer/audio/mastering/) fits
 * between them: `renderExport` renders the mix (and the stems) through the engine;
 * `encodeExport` writes them in the chosen format with the metadata (title, provenance, and the
 * mastering chain applied to `rendered.mix` in between, if any). Each file carries the provenance
 * record of what it holds (core/provenance/): the mix, every clip in the bars; a stem, its track's.
 *
 *   const rendered = await renderExport(song, { range, format, stems }, renderSong);
 *   // mastering: measure rendered.mix, maybe correct it, describe the chain
 *   const files = await encodeExport(rendered, { title, provenance, masteringChain }, name, { watermark: payload });
 */
import { provenanceRecord, type ProvenanceRecord } from '../../core/provenance/record.ts';
import type { Song } from '../../core/song/types.ts';
import type { ExportMetadata } from '../audio/export-metadata.ts';
import type { RenderedAudio } from '../audio/contract.ts';
import { encodeWav, type WavBitDepth } from '../audio/wav.ts';
import { encodeOggOpus } from './opus-encode.ts';
import { OPUS_RATE } from './ogg-opus.ts';
import { renderStems, stemTracks, type RenderSong, type Stem, type StemRange } from './stems.ts';
import { zipStems, type ArchiveFile } from './stems-archive.ts';
import { watermarkRendered } from './watermark.ts';

export type ExportFormat = 'wav16' | 'wav24' | 'opus';

export const EXPORT_FORMATS: readonly { id: ExportFormat; label: string; detail: string }[] = [
  { id: 'wav16', label: 'WAV, 16-bit', detail: 'CD quality, 44.1 kHz: for any player or DAW' },
  { id: 'wav24', label: 'WAV, 24-bit', detail: '44.1 kHz with more headroom: for mixing and mastering elsewhere' },
  { id: 'opus', label: 'Opus', detail: 'small file for sharing (about 1.2 MB a minute at 160 kb/s), 48 kHz' },
];

export interface ExportRequest {
  range: StemRange;
  format: ExportFormat;
  /** One WAV per track beside the mix (WAV formats only: stems are for mixing, not sharing). */
  stems: boolean;
  tailSeconds?: number;
  onProgress?(done: number, total: number): void;
}

export interface RenderedExport {
  format: ExportFormat;
  /** The full mix; the mastering step may replace it with a corrected copy before encoding. */
  mix: RenderedAudio;
  stems: Stem[];
  /** What was rendered, for the provenance each file carries (absent: the files carry none). */
  source?: { song: Song; range: StemRange };
}

export interface ExportFile {
  name: string;
  bytes: Uint8Array;
  mimeType: string;
}

export function sampleRateFor(format: ExportFormat): number {
  // Opus runs at 48 kHz: rendering there spares the encoder a resampling step.
  return format === 'opus' ? OPUS_RATE : 44100;
}

export async function renderExport(song: Song, request: ExportRequest, render: RenderSong): Promise<RenderedExport> {
  if (request.stems && request.format === 'opus') throw new Error('Stems are WAV files: choose a WAV format for stems');
  const sampleRate = sampleRateFor(request.format);
  const options = { fromBar: request.range.fromBar, toBar: request.range.toBar, sampleRate, tailSeconds: request.tailSeconds };
  const total = request.stems ? 1 + stemTracks(song).length : 1;
  const mix = await render(song, { ...options, metronome: false });
  request.onProgress?.(1, total);
  const stems = request.stems
    ? await renderStems(song, { ...options, onProgress: (done) => request.onProgress?.(1 + done, total) }, render)
    : [];
  for (const stem of stems) {
    if (stem.audio.channels[0]!.length !== mix.channels[0]!.length) throw new Error(`Stem "${stem.track.name}" is not as long as the mix`);
  }
  return { format: request.format, mix, stems, source: { song, range: request.range } };
}

/**
 * The files to save: the mix alone (one .wav or .opus), or — with stems — one zip holding a
 * folder "<title> stems" with the mix and every stem (saveFolder writes the same files to a folder).
 */
export interface EncodedExport {
  /** The mix as a file of its own. */
  mix: ExportFile;
  /** With stems: the folder name and its files (the mix first), and the same as one zip. */
  stems: { folder: string; files: ArchiveFile[]; zip: ExportFile } | null;
}

/** The provenance record of the mix (every clip in the bars) or of one track's stem. */
function recordOf(rendered: RenderedExport, trackId?: string): ProvenanceRecord | undefined {
  const source = rendered.source;
  if (!source) return undefined;
  return provenanceRecord(source.song, { what: trackId ? 'stem' : 'song', content: 'audio', range: source.range, trackId });
}

export interface EncodeOptions {
  /** A 64-bit payload to watermark the mix and the stems with (watermark.ts); none when absent. */
  watermark?: bigint | null;
}

export async function encodeExport(
  unmarked: RenderedExport,
  metadata: ExportMetadata,
  baseName: string,
  options: EncodeOptions = {},
): Promise<EncodedExport> {
  // Marked last, on what is written: after the mastering step chose the mix, so a correction
  // (gain, limiter) cannot weaken the mark, and the figures the dialog showed still hold (±0.01 dB).
  const rendered = options.watermark == null ? unmarked : watermarkRendered(unmarked, options.watermark);
  const mix = await encodeMix(rendered, { record: recordOf(rendered), ...metadata }, baseName);
  if (!rendered.stems.length) return { mix, stems: null };
  const bitDepth: WavBitDepth = rendered.format === 'wav24' ? 24 : 16;
  const folder = `${baseName} stems`;
  const files: ArchiveFile[] = [{ name: '00 Mix.wav', bytes: mix.bytes }];
  for (const stem of rendered.stems) {
    const title = `${metadata.title} – ${stem.track.name}`;
    // A stem is the track as it sounds in the mix: the mastering chain (applied to the mix) is not in it.
    // Its own provenance: the stem's track's clips (the summary line follows from it).
    const record = recordOf(rendered, stem.track.id);
    const stemMeta: ExportMetadata = record ? { title, record } : { title, provenance: metadata.provenance };
    files.push({ name: stem.fileName, bytes: encodeWav(stem.audio, { bitDepth, metadata: stemMeta }) });
  }
  return { mix, stems: { folder, files, zip: { name: `${folder}.zip`, bytes: zipStems(folder, files), mimeType: 'application/zip' } } };
}

async function encodeMix(rendered: RenderedExport, metadata: ExportMetadata, baseName: string): Promise<ExportFile> {
  if (rendered.format === 'opus') {
    return { name: `${baseName}.opus`, bytes: await encodeOggOpus(rendered.mix, { metadata }), mimeType: 'audio/ogg' };
  }
  const bitDepth: WavBitDepth = rendered.format === 'wav24' ? 24 : 16;
  return { name: `${baseName}.wav`, bytes: encodeWav(rendered.mix, { bitDepth, metadata }), mimeType: 'audio/wav' };
}
