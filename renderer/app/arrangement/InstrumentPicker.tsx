/**
 * A track's instrument: the presets of the shipped bank for its role (core/song/instrument-catalog.ts:
 * kits for drums, melodic presets otherwise), grouped by family. It shows the preset the track
 * plays — for an older song's free text ("Upright bass") the one resolveInstrument picks — and a
 * choice is a labelled edit of the song ("set Bass's instrument to Slap bass"), so every bandmate
 * hears it, the history shows it and Undo takes it back.
 */
import { memo } from 'react';
import type * as Y from 'yjs';
import { programForTrack } from '../../../core/midi/general-midi.ts';
import { updateTrack } from '../../../core/song/edits.ts';
import { resolveInstrument } from '../../../core/song/instrument-catalog.ts';
import type { Track } from '../../../core/song/types.ts';
import type { EditRunner } from '../edit-runner.ts';
import { presetGroups } from './instrument-groups.ts';

export const InstrumentPicker = memo(function InstrumentPicker({ doc, track, edits }: { doc: Y.Doc; track: Track; edits: EditRunner }) {
  const current = resolveInstrument(track, programForTrack(track));
  return (
    <select
      className="instrument"
      data-testid="track-instrument"
      aria-label={`${track.name}'s instrument`}
      title={`Instrument: ${current.name}`}
      value={current.id}
      disabled={edits.readOnly}
      onChange={(e) => {
        const id = e.currentTarget.value;
        if (id !== track.instrument) edits.run(() => updateTrack(doc, track.id, { instrument: id }));
      }}
    >
      {presetGroups(track.role).map((group) => (
        <optgroup key={group.family} label={group.label}>
          {group.presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
});
