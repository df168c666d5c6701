/**
 * Export MusicXML, for teachers and notation programs: the whole song, its loop range or the
 * selected clip, as .musicxml (plain text) or .mxl (compressed, what MuseScore and Finale save).
 * The score is core/musicxml's (score-export.ts picks the range and the file name).
 */
import { useState } from 'react';
import { writeMxl } from '../../core/musicxml/musicxml.ts';
import type { Song } from '../../core/song/types.ts';
import { ModalDialog } from '../app/Dialogs.tsx';
import type { Notify } from '../app/edit-runner.ts';
import type { FileService } from '../platform/file-service.ts';
import { SCORE_MIME, scoreExport, type ScoreFormat, type ScoreRange } from './score-export.ts';
import { describeRange, loopRange } from './wav-range.ts';

interface ExportScoreDialogProps {
  song: Song;
  /** The song as it is now (the snapshot React has may be a frame behind the document). */
  current(): Song;
  selectedClipId: string | null;
  files: FileService;
  notify: Notify;
  onClose(): void;
}

export function ExportScoreDialog({ song, current, selectedClipId, files, notify, onClose }: ExportScoreDialogProps) {
  const loop = loopRange(song);
  const clip = song.clips.find((c) => c.id === selectedClipId);
  const [range, setRange] = useState<ScoreRange>(clip ? 'clip' : 'song');
  const [format, setFormat] = useState<ScoreFormat>('musicxml');
  const [busy, setBusy] = useState(false);

  const save = async (): Promise<void> => {
    const result = scoreExport(current(), range, format, selectedClipId);
    if (!result) return notify(range === 'clip' ? 'Select a clip to export it.' : 'Set a loop range to export it.', 'error');
    setBusy(true);
    try {
      const { xml, shortened } = result.exported;
      const bytes = format === 'mxl' ? await writeMxl(xml) : new TextEncoder().encode(xml);
      const savedAs = await files.save(result.fileName, bytes, SCORE_MIME[format]);
      // A cancelled save dialog saved nothing: say nothing, and keep the dialog for another try.
      if (!savedAs) return;
      notify(`Saved ${savedAs}${shortened ? ` (${shortened} notes shortened: more than 4 voices at once)` : ''}`);
      onClose();
    } finally {
      setBusy(false);
    }
  };

  return (
    <ModalDialog className="file-dialog" testId="export-score-dialog" label="Export MusicXML" busy={busy} onClose={onClose}>
      <p>A score for notation programs: one staff per track, the chord track as chord symbols, drums on a percussion staff.</p>
      <div className="file-form" role="radiogroup" aria-label="What to export">
        <Choice group="range" value="song" checked={range === 'song'} disabled={busy} onChange={() => setRange('song')}>
          Whole song
        </Choice>
        <Choice group="range" value="loop" checked={range === 'loop'} disabled={busy || !loop} onChange={() => setRange('loop')}>
          Loop range {loop ? `(${describeRange(loop)})` : '(no loop set)'}
        </Choice>
        <Choice group="range" value="clip" checked={range === 'clip'} disabled={busy || !clip} onChange={() => setRange('clip')}>
          Selected clip {clip ? `(${clip.name || song.tracks.find((t) => t.id === clip.trackId)?.name || 'clip'})` : '(none selected)'}
        </Choice>
      </div>
      <div className="file-form" role="radiogroup" aria-label="Format">
        <Choice group="format" value="musicxml" checked={format === 'musicxml'} disabled={busy} onChange={() => setFormat('musicxml')}>
          MusicXML (.musicxml)
        </Choice>
        <Choice group="format" value="mxl" checked={format === 'mxl'} disabled={busy} onChange={() => setFormat('mxl')}>
          Compressed MusicXML (.mxl)
        </Choice>
      </div>
      <div className="file-buttons">
        <button type="button" disabled={busy} onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="active" data-testid="score-save" disabled={busy} autoFocus onClick={() => void save()}>
          Save
        </button>
      </div>
    </ModalDialog>
  );
}

/** One radio button with its words, its data-testid `score-<group>-<value>`. */
function Choice(props: { group: string; value: string; checked: boolean; disabled: boolean; onChange(): void; children: React.ReactNode }) {
  return (
    <label className="choice">
      <input
        type="radio"
        name={`score-${props.group}`}
        data-testid={`score-${props.group}-${props.value}`}
        checked={props.checked}
        disabled={props.disabled}
        onChange={props.onChange}
      />
      {props.children}
    </label>
  );
}
