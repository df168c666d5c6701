/**
 * Where an imported MIDI file goes: a track of the song or a new one (with a role), and the bar
 * its clip starts at. Shown after the file has been read, so a malformed file never gets here.
 */
import { useState } from 'react';
import { ModalDialog } from '../app/Dialogs.tsx';
import { TRACK_ROLES, type Song, type TrackRole } from '../../core/song/types.ts';
import { MAX_BARS } from '../../core/song/validate.ts';
import type { EditRunner, Notify } from '../app/edit-runner.ts';
import type { OpenedFile } from '../platform/file-service.ts';
import type { RoomSession } from '../state/session.ts';
import { importMidiIntoSong, type MidiFileSummary } from './midi-into-track.ts';

interface ImportMidiDialogProps {
  session: RoomSession;
  song: Song;
  file: OpenedFile;
  summary: MidiFileSummary;
  /** The selected clip's track, offered first. */
  defaultTrackId: string | null;
  edits: EditRunner;
  notify: Notify;
  /** Called with the new clip's id, or null when cancelled or refused. */
  onDone(clipId: string | null): void;
}

const NEW_TRACK = 'new';

export function ImportMidiDialog({ session, song, file, summary, defaultTrackId, edits, notify, onDone }: ImportMidiDialogProps) {
  const [target, setTarget] = useState(defaultTrackId ?? NEW_TRACK);
  const [role, setRole] = useState<TrackRole>(summary.suggestedRole);
  const [name, setName] = useState(summary.suggestedName || 'Imported');
  const [bar, setBar] = useState(1);

  const submit = (): void => {
    const trackName = name.trim().slice(0, 100) || 'Imported';
    const result = edits.run(() =>
      importMidiIntoSong(
        session.doc,
        file.bytes,
        target === NEW_TRACK ? { newTrack: { role, name: trackName } } : { trackId: target },
        bar - 1,
        file.name,
      ),
    );
    if (!result) return;
    const shownName = song.tracks.find((t) => t.id === result.trackId)?.name ?? trackName;
    notify(`Imported ${summary.noteCount} notes from ${file.name} into ${shownName}`);
    onDone(result.clipId);
  };

  return (
    <ModalDialog
      className="file-dialog"
      testId="import-midi-dialog"
      label="Import MIDI into a track"
      heading={`Import ${file.name}`}
      onClose={() => onDone(null)}
    >
      <p>
        {summary.noteCount} notes{summary.trackNames.length > 1 ? ` from ${summary.trackNames.length} tracks, merged into one clip` : ''}.
      </p>
      <form
        className="file-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span>Track</span>
          <select data-testid="import-midi-track" value={target} onChange={(e) => setTarget(e.currentTarget.value)} autoFocus>
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
              <input data-testid="import-midi-name" value={name} maxLength={100} onChange={(e) => setName(e.currentTarget.value)} />
            </label>
            <label className="field">
              <span>Role</span>
              <select data-testid="import-midi-role" value={role} onChange={(e) => setRole(e.currentTarget.value as TrackRole)}>
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
            data-testid="import-midi-bar"
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
          <button type="submit" className="active" data-testid="import-midi-confirm">
            Import
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
