/**
 * What the library panel shows, as plain functions: the filter form's state as a LibraryQuery,
 * the choices each filter offers (the styles, moods and authors the library holds), and a clip's
 * one-line summary and its metadata with the reasons behind each value.
 */
import { ENERGY_LABELS } from '../../core/analysis/energy.ts';
import { keyLabel } from '../../core/library/describe-clip.ts';
import { isAiClip } from '../../core/library/library-query.ts';
import type { LibraryClip, LibraryQuery } from '../../core/library/types.ts';
import { TRACK_ROLES, type TrackRole } from '../../core/song/types.ts';

/** The filter form, as its fields hold it ('' = any). */
export interface LibraryFilters {
  text: string;
  role: string;
  style: string;
  /** "tonic:mode" or ''. */
  key: string;
  tempoMin: string;
  tempoMax: string;
  energy: string;
  mood: string;
  author: string;
  origin: string;
}

export const NO_FILTERS: LibraryFilters = {
  text: '',
  role: '',
  style: '',
  key: '',
  tempoMin: '',
  tempoMax: '',
  energy: '',
  mood: '',
  author: '',
  origin: '',
};

export function queryOf(f: LibraryFilters): LibraryQuery {
  const q: LibraryQuery = {};
  if (f.text.trim()) q.text = f.text.trim().slice(0, 200);
  if ((TRACK_ROLES as readonly string[]).includes(f.role)) q.role = f.role as TrackRole;
  if (f.style) q.style = f.style;
  if (f.key) {
    const [tonic, mode] = f.key.split(':');
    q.key = { tonic: Number(tonic), mode: mode === 'minor' ? 'minor' : 'major' };
  }
  const min = Number.parseFloat(f.tempoMin);
  const max = Number.parseFloat(f.tempoMax);
  if (Number.isFinite(min) || Number.isFinite(max))
    q.tempo = { min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 1000 };
  if (f.energy !== '' && Number.isInteger(Number(f.energy))) q.energy = Number(f.energy);
  if (f.mood) q.mood = f.mood;
  if (f.author) q.author = f.author;
  if (f.origin === 'ai' || f.origin === 'human') q.origin = f.origin;
  return q;
}

/** The values a filter can take, from the clips the library holds (sorted, distinct). */
export function facets(clips: readonly LibraryClip[]): { styles: string[]; moods: string[]; authors: string[] } {
  const sorted = (values: Iterable<string>) => [...new Set(values)].filter(Boolean).sort((a, b) => a.localeCompare(b));
  return {
    styles: sorted(clips.map((c) => c.style).filter((s) => s !== 'any')),
    moods: sorted(clips.flatMap((c) => [...c.metadata.moods.map((m) => m.value), ...c.tags])),
    authors: sorted(clips.flatMap((c) => [c.provenance.author, c.savedBy])),
  };
}

/** "bass · funk · E minor · 112 BPM · steady · by alice · AI" */
export function summaryOf(clip: LibraryClip): string {
  return [
    clip.role,
    clip.style === 'any' ? null : clip.style,
    clip.metadata.key ? keyLabel(clip.metadata.key.value) : null,
    `${Math.round(clip.metadata.tempo.value)} BPM`,
    ENERGY_LABELS[clip.metadata.energy.value],
    clip.provenance.author ? `by ${clip.provenance.author}` : null,
    isAiClip(clip) ? 'AI' : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Each metadata value with the features behind it, for the clip's details. */
export function explanations(clip: LibraryClip): { label: string; value: string; because: string }[] {
  const m = clip.metadata;
  const rows = [
    m.key
      ? { label: 'Key', value: `${keyLabel(m.key.value)} (${Math.round(m.key.confidence * 100)}% sure)`, because: m.key.because }
      : { label: 'Key', value: 'none', because: 'drums have no key' },
    { label: 'Role', value: m.role.value, because: m.role.because },
    { label: 'Tempo', value: `${m.tempo.value} BPM, ${m.meter.numerator}/${m.meter.denominator}`, because: m.tempo.because },
    { label: 'Energy', value: ENERGY_LABELS[m.energy.value] ?? String(m.energy.value), because: m.energy.because },
    ...m.moods.map((mood) => ({ label: 'Mood', value: mood.value, because: mood.because })),
  ];
  const p = clip.provenance;
  if (p.source === 'model')
    rows.push({
      label: 'Made by',
      value: `AI${p.model ? ` ${p.model.id}` : ''}${p.seed !== undefined && p.seed !== null ? ` · seed ${p.seed}` : ''}`,
      because: `asked by ${p.author || 'someone'} in “${p.sourceSong}”`,
    });
  else
    rows.push({
      label: 'Made by',
      value: p.author || 'unknown',
      because: `${p.source === 'import' ? 'imported' : 'played or drawn'} in “${p.sourceSong}”`,
    });
  return rows;
}
