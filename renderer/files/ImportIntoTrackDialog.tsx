/**
 * Where an imported MIDI or MusicXML file goes: a track of the song or a new one (with a role),
 * and the bar its clip starts at. Shown after the file has been read, so a malformed file never
 * gets here. The import itself is the caller's (`run`), so one dialog serves both formats.
 */
import { useState } from 'react';
import { ModalDialog } from '../app/Dialogs.tsx';
import { TRACK_ROLES, type Song, type TrackRole } from '../../core/song/types.ts';
import { MAX_BARS } from '../../core/song/validate.ts';
import type { EditRunner, Notify } from '../app/edit-runner.ts';
import type { ImportTarget, IntoTrackResult } from './into-track.ts';
import type { MusicMetadata } from '../../core/analysis/metadata.ts';
import { metadataLines } from './file-metadata.ts';

/** What the dialog says about the file. */
export interface ImportSummary {
  noteCount: number;
  /** The file's tracks (MIDI) or parts (MusicXML), merged into the one clip. */
  sourceCount: number;
  /** Chord symbols that will go onto the chord lane (MusicXML). */
  chordCount: number;
  suggestedRole: TrackRole;
  suggestedName: string;
  /** What the file is (core/analysis/): key, tempo and meter, roles, energy, moods. */
  metadata?: MusicMetadata;
}

interface ImportIntoTrackDialogProps {
  /** 'MIDI' or 'MusicXML': named in the heading and the labels. */
  format: string;
  /** data-testid prefix: `${testId}-dialog`, `${testId}-track`, ... */
  testId: string;
  song: Song;
  fileName: string;
  summary: ImportSummary;
  /** Carries out the import (it throws to refuse; the dialog runs it through `edits`). */
  run(target: ImportTarget, startBar: number): IntoTrackResult;
  /** The selected clip's track, offered first. */
  defaultTrackId: string | null;
  edits: EditRunner;
  notify: Notify;
  /** Called with the new clip's id, or null when cancelled or refused. */
  onDone(clipId: string | null): void;
}

const NEW_TRACK = 'new';

export function ImportIntoTrackDialog(props: ImportIntoTrackDialogProps) {
  const { format, testId, song, fileName, summary, defaultTrackId, edits, notify, onDone } = props;
  const [target, setTarget] = useState(defaultTrackId ?? NEW_TRACK);
  const [role, setRole] = useState<TrackRole>(summary.suggestedRole);
  const [name, setName] = useState(summary.suggestedName || 'Imported');
  const [bar, setBar] = useState(1);

  const submit = (): void => {
    const trackName = name.trim().slice(0, 100) || 'Imported';
    const result = edits.run(() =>
      props.run(target === NEW_TRACK ? { newTrack: { role, name: trackName } } : { trackId: target }, bar - 1),
    );
    if (!result) return;
    const shownName = song.tracks.find((t) => t.id === result.trackId)?.name ?? trackName;
    const chords = summary.chordCount ? ` and ${summary.chordCount} chord symbols` : '';
    notify(`Imported ${summary.noteCount} notes${chords} from ${fileName} into ${shownName}`);
    onDone(result.clipId);
  };

  return (
    <ModalDialog
      className="file-dialog"
      testId={`${testId}-dialog`}
      label={`Import ${format} into a track`}
      heading={`Import ${fileName}`}
      onClose={() => onDone(null)}
    >
      <p>
        {summary.noteCount} notes
        {summary.sourceCount > 1 ? ` from ${summary.sourceCount} ${format === 'MIDI' ? 'tracks' : 'parts'}, merged into one clip` : ''}
        {summary.chordCount ? `, and ${summary.chordCount} chord symbols for the chord lane over it` : ''}.
      </p>
      {summary.metadata && (
        <dl className="file-metadata" data-testid={`${testId}-metadata`}>
          {metadataLines(summary.metadata).map((line, i) => (
            // A fixed account: the order is the identity.
            <div key={i} title={line.because} data-label={line.label}>
              <dt>{line.label}</dt>
              <dd>
                {line.value} <span className="muted">({line.because})</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <form
        className="file-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span>Track</span>
          <select data-testid={`${testId}-track`} value={target} onChange={(e) => setTarget(e.currentTarget.value)} autoFocus>
            {song.tracks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.role})
              </option>
            ))}
            <option value={NEW_TRACK}>New track…</option>
          </select>
        </label>
        {target === NEW_TRACK && (
          <>
            <label className="field">
              <span>Name</span>
              <input data-testid={`${testId}-name`} value={name} maxLength={100} onChange={(e) => setName(e.currentTarget.value)} />
            </label>
            <label className="field">
              <span>Role</span>
              <select data-testid={`${testId}-role`} value={role} onChange={(e) => setRole(e.currentTarget.value as TrackRole)}>
                {TRACK_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <label className="field">
          <span>At bar</span>
          <input
            type="number"
            data-testid={`${testId}-bar`}
            min={1}
            max={MAX_BARS}
            value={bar}
            onChange={(e) => setBar(Math.max(1, Math.floor(Number(e.currentTarget.value) || 1)))}
          />
        </label>
        <div className="file-buttons">
          <button type="button" onClick={() => onDone(null)}>
            Cancel
          </button>
          <button type="submit" className="active" data-testid={`${testId}-confirm`}>
            Import
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
