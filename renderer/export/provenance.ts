/**
 * The provenance line an export carries (ExportMetadata.provenance, the WAV's ICMT and the Opus
 * COMMENT): the record's summary line (core/provenance/describe.ts: which parts bandmates wrote,
 * which the AI bandmate generated, which came from imported MIDI, and what share of the notes
 * each wrote), then whose tracks they are. From the song's own records (Clip.provenance,
 * Track.owner), for the clips inside the exported bars. The full record travels beside it
 * (export-song.ts).
 */
import { summaryLine } from '../../core/provenance/describe.ts';
import { provenanceRecord } from '../../core/provenance/record.ts';
import type { Song } from '../../core/song/types.ts';

export function provenanceSummary(song: Song, range?: { fromBar: number; toBar: number }): string {
  const lines = [summaryLine(provenanceRecord(song, { range }))];
  const owned = [...song.tracks]
    .sort((a, b) => a.order - b.order)
    .filter((t) => t.owner)
    .map((t) => `${t.name} (${t.owner})`);
  if (owned.length) lines.push(`Tracks: ${owned.join(', ')}.`);
  return lines.join(' ');
}
