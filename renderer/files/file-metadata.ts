/**
 * What an imported file is, in lines the import dialog lists: its key (with the finder's
 * confidence and why), tempo and meter (from the file), each track's role and energy, and the
 * mood tags, each with the features behind it (core/analysis/).
 */
import type { MusicMetadata } from '../../core/analysis/metadata.ts';

export interface MetadataLine {
  label: string;
  value: string;
  because: string;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

export function metadataLines(m: MusicMetadata): MetadataLine[] {
  const lines: MetadataLine[] = [];
  if (m.key) {
    const stated = m.statedKey ? '; the file states a key too' : '; the file states none';
    lines.push({
      label: 'Key',
      value: `${m.key.name} (${m.key.confidence} confidence)`,
      because: `key profiles: correlation ${m.key.correlation.toFixed(2)}, ${m.key.margin.toFixed(2)} above ${m.key.runnerUp.name}${stated}`,
    });
  }
  lines.push({
    label: 'Tempo and meter',
    value: `${Math.round(m.bpm)} BPM, ${m.meter.numerator}/${m.meter.denominator}`,
    because: m.timeSource === 'file' ? "from the file's own tempo and time signature" : "the song's",
  });
  for (const t of m.tracks) {
    lines.push({ label: t.name || 'Track', value: `${t.role}, ${t.energy.label}`, because: `${t.roleBecause}; ${t.energy.because}` });
  }
  for (const mood of m.moods) lines.push({ label: 'Mood', value: mood.tag, because: mood.because });
  if (m.moods.length === 0)
    lines.push({ label: 'Mood', value: 'none told', because: `no rule fits: ${m.onsetsPerSecond.toFixed(1)} notes a second` });
  return lines.map((l) => ({ ...l, because: l.because.replace(/\d\.\d{3,}/g, (x) => percent(Number(x))) }));
}
