/**
 * The File menu's actions: export the song or the selected clip as MIDI, render the song (or its
 * loop) to WAV, import a MIDI file into a track or as new tracks, check a file's provenance. Files go through the platform's
 * FileService (a download and the file picker in a tab); MIDI is read and written by core/midi.
 */
import { useEffect, useRef, useState } from 'react';
import { MidiFormatError, clipToMidi, importMidiSong, songToMidi } from '../../core/midi/song-midi.ts';
import { checkFile } from '../../core/provenance/read-file.ts';
import type { Song } from '../../core/song/types.ts';
import type { EditRunner, Notify } from '../app/edit-runner.ts';
import { FileMenu, type FileMenuItem } from '../app/top-bar/FileMenu.tsx';
import { onAppCommand } from '../platform/app-commands.ts';
import type { FileService, OpenedFile } from '../platform/file-service.ts';
import type { RoomSession } from '../state/session.ts';
import { CheckFileDialog, type CheckedFile } from './CheckFileDialog.tsx';
import { ExportAudioDialog, masterExport } from './ExportAudioDialog.tsx';
import { clipFileName, songFileName } from './file-names.ts';
import { ImportMidiDialog } from './ImportMidiDialog.tsx';
import { detectedKeyNote } from './detected-key-note.ts';
import { summarizeMidi, type MidiFileSummary } from './midi-into-track.ts';

export interface FileActionsProps {
  session: RoomSession;
  song: Song;
  selectedClipId: string | null;
  selectClip(clipId: string | null): void;
  files: FileService;
  edits: EditRunner;
  notify: Notify;
}

const MIDI_TYPES = ['.mid', '.midi'];
/** What Riffroom exports: the files whose provenance it can read back. */
const CHECKED_TYPES = ['.mid', '.midi', '.wav', '.opus', '.ogg'];

export function FileActions(props: FileActionsProps) {
  const { session, files, edits, notify } = props;
  const [importing, setImporting] = useState<{ file: OpenedFile; summary: MidiFileSummary } | null>(null);
  const [exportingWav, setExportingWav] = useState(false);
  const [checked, setChecked] = useState<CheckedFile | null>(null);
  const clip = props.selectedClipId ? props.song.clips.find((c) => c.id === props.selectedClipId) : undefined;

  /** The song as it is now (the snapshot React has may be a frame behind the document). */
  const current: () => Song = session.store.current;
  const save = async (name: string, bytes: Uint8Array, type: string): Promise<void> => {
    // A cancelled save dialog saved nothing: say nothing.
    const savedAs = await files.save(name, bytes, type);
    if (savedAs) notify(`Saved ${savedAs}`);
  };
  const notMidi = (file: OpenedFile, error: MidiFormatError): void =>
    notify(`${file.name} is not a MIDI file Riffroom can read: ${error.message}. Nothing was changed.`, 'error');

  const exportSong = async (): Promise<void> => {
    const song = current();
    await save(songFileName(song.meta.title, 'mid'), songToMidi(song), 'audio/midi');
  };
  const exportClip = async (): Promise<void> => {
    const song = current();
    const selected = song.clips.find((c) => c.id === props.selectedClipId);
    if (!selected) return notify('Select a clip to export it.', 'error');
    await save(clipFileName(song, selected, 'mid'), clipToMidi(song, selected.id), 'audio/midi');
  };
  const importIntoTrack = async (): Promise<void> => {
    const file = await files.open(MIDI_TYPES);
    if (!file) return;
    try {
      const summary = summarizeMidi(file.bytes, file.name);
      if (summary.noteCount === 0) return notify(`${file.name} has no notes to import.`, 'error');
      setImporting({ file, summary });
    } catch (error) {
      if (!(error instanceof MidiFormatError)) throw error;
      notMidi(file, error);
    }
  };
  const importAsTracks = async (): Promise<void> => {
    const file = await files.open(MIDI_TYPES);
    if (!file) return;
    try {
      const result = edits.run(() => importMidiSong(session.doc, file.bytes, { fileName: file.name }));
      if (result)
        notify(
          `Imported ${file.name}: ${result.trackIds.length} tracks${result.warnings.length ? ` (${result.warnings.join('; ')})` : ''}${detectedKeyNote(result)}`,
        );
    } catch (error) {
      if (!(error instanceof MidiFormatError)) throw error;
      notMidi(file, error);
    }
  };

  const checkAFile = async (): Promise<void> => {
    const file = await files.open(CHECKED_TYPES);
    if (file) setChecked({ name: file.name, check: checkFile(file.bytes) });
  };

  // The desktop app's File menu runs the same actions.
  const actions = () => ({
    exportSong,
    exportClip,
    importIntoTrack,
    checkAFile,
    exportWav: () => setExportingWav(true),
    readOnly: edits.readOnly,
  });
  const menu = useRef(actions());
  menu.current = actions();
  useEffect(
    () =>
      onAppCommand((command) => {
        const run = menu.current;
        if (command === 'export-song-midi') void run.exportSong();
        else if (command === 'export-clip-midi') void run.exportClip();
        else if (command === 'export-wav') run.exportWav();
        else if (command === 'import-midi' && !run.readOnly) void run.importIntoTrack();
        else if (command === 'check-file') void run.checkAFile();
      }),
    [],
  );

  const readOnly = edits.readOnly;
  const items: FileMenuItem[] = [
    { id: 'file-export-song-midi', label: 'Export song MIDI…', run: () => void exportSong() },
    {
      id: 'file-export-clip-midi',
      label: 'Export clip MIDI…',
      disabled: !clip,
      title: clip ? undefined : 'Select a clip first',
      run: () => void exportClip(),
    },
    { id: 'file-export-wav', label: 'Export audio…', run: () => setExportingWav(true) },
    { id: 'file-import-midi-track', label: 'Import MIDI into a track…', disabled: readOnly, run: () => void importIntoTrack() },
    { id: 'file-import-midi-song', label: 'Import MIDI as new tracks…', disabled: readOnly, run: () => void importAsTracks() },
    { id: 'file-check', label: 'Check a file…', run: () => void checkAFile() },
  ];

  return (
    <>
      <FileMenu items={items} />
      {importing && (
        <ImportMidiDialog
          session={session}
          song={props.song}
          file={importing.file}
          summary={importing.summary}
          defaultTrackId={clip?.trackId ?? null}
          edits={edits}
          notify={notify}
          onDone={(clipId) => {
            setImporting(null);
            if (clipId) props.selectClip(clipId);
          }}
        />
      )}
      {checked && <CheckFileDialog file={checked} onClose={() => setChecked(null)} />}
      {exportingWav && (
        <ExportAudioDialog
          session={session}
          song={props.song}
          current={current}
          files={files}
          notify={notify}
          onClose={() => setExportingWav(false)}
          master={masterExport}
        />
      )}
    </>
  );
}
