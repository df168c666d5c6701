/**
 * The File menu's actions: export the song or the selected clip as MIDI, the song, its loop or
 * the selected clip as MusicXML (.musicxml or compressed .mxl, ExportScoreDialog.tsx), render the
 * song (or its loop) to WAV, import a MIDI or MusicXML file into a track or as new tracks, check a
 * file's provenance. Files go through the platform's FileService (a download and the file picker
 * in a tab); MIDI is read and written by core/midi, MusicXML by core/musicxml.
 */
import { useEffect, useRef, useState } from 'react';
import { MidiFormatError, clipToMidi, importMidiSong, songToMidi } from '../../core/midi/song-midi.ts';
import { importMusicXmlSong, isMusicXmlFileError, musicXmlFileText } from '../../core/musicxml/musicxml.ts';
import { checkFile } from '../../core/provenance/read-file.ts';
import type { Song } from '../../core/song/types.ts';
import type { EditRunner, Notify } from '../app/edit-runner.ts';
import { FileMenu, type FileMenuItem } from '../app/top-bar/FileMenu.tsx';
import { onAppCommand } from '../platform/app-commands.ts';
import type { FileService, OpenedFile } from '../platform/file-service.ts';
import type { RoomSession } from '../state/session.ts';
import { CheckFileDialog, type CheckedFile } from './CheckFileDialog.tsx';
import { ExportAudioDialog, masterExport } from './ExportAudioDialog.tsx';
import { ExportScoreDialog } from './ExportScoreDialog.tsx';
import { clipFileName, songFileName } from './file-names.ts';
import { ImportIntoTrackDialog, type ImportSummary } from './ImportIntoTrackDialog.tsx';
import type { ImportTarget, IntoTrackResult } from './into-track.ts';
import { importMidiIntoSong, summarizeMidi } from './midi-into-track.ts';
import { importMusicXmlIntoSong, summarizeScore } from './musicxml-into-track.ts';
import { detectedKeyNote } from './detected-key-note.ts';

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
const MUSICXML_TYPES = ['.musicxml', '.mxl', '.xml'];

/** A file read and summed up, waiting in the "into a track" dialog. */
interface PendingImport {
  format: 'MIDI' | 'MusicXML';
  fileName: string;
  summary: ImportSummary;
  run(target: ImportTarget, startBar: number): IntoTrackResult;
}

/** What Riffroom exports: the files whose provenance it can read back. */
const CHECKED_TYPES = ['.mid', '.midi', '.wav', '.opus', '.ogg', '.musicxml', '.mxl', '.xml'];

export function FileActions(props: FileActionsProps) {
  const { session, files, edits, notify } = props;
  const [importing, setImporting] = useState<PendingImport | null>(null);
  const [exportingWav, setExportingWav] = useState(false);
  const [exportingScore, setExportingScore] = useState(false);
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
  const notMusicXml = (file: OpenedFile, error: Error): void =>
    notify(`${file.name} is not a MusicXML file Riffroom can read: ${error.message}. Nothing was changed.`, 'error');
  /** The score's text, or null (after saying why) when the file cannot be read. */
  const scoreText = async (file: OpenedFile): Promise<string | null> => {
    try {
      return await musicXmlFileText(file.bytes);
    } catch (error) {
      if (!isMusicXmlFileError(error)) throw error;
      notMusicXml(file, error);
      return null;
    }
  };
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
      setImporting({
        format: 'MIDI',
        fileName: file.name,
        summary: { ...summary, sourceCount: summary.trackNames.length, chordCount: 0 },
        run: (target, startBar) => importMidiIntoSong(session.doc, file.bytes, target, startBar, file.name),
      });
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

  const importScoreIntoTrack = async (): Promise<void> => {
    const file = await files.open(MUSICXML_TYPES);
    if (!file) return;
    const text = await scoreText(file);
    if (text === null) return;
    try {
      const summary = summarizeScore(text, file.name);
      if (summary.noteCount === 0) return notify(`${file.name} has no notes to import.`, 'error');
      setImporting({
        format: 'MusicXML',
        fileName: file.name,
        summary: { ...summary, sourceCount: summary.partNames.length },
        run: (target, startBar) => importMusicXmlIntoSong(session.doc, text, target, startBar, file.name),
      });
    } catch (error) {
      if (!isMusicXmlFileError(error)) throw error;
      notMusicXml(file, error);
    }
  };
  const importScoreAsTracks = async (): Promise<void> => {
    const file = await files.open(MUSICXML_TYPES);
    if (!file) return;
    const text = await scoreText(file);
    if (text === null) return;
    try {
      const result = edits.run(() => importMusicXmlSong(session.doc, text, { fileName: file.name }));
      if (!result) return;
      const chords = result.chordCount ? ` and ${result.chordCount} chord symbols` : '';
      const warnings = result.warnings.length ? ` (${result.warnings.join('; ')})` : '';
      notify(`Imported ${file.name}: ${result.trackIds.length} tracks${chords}${warnings}`);
    } catch (error) {
      if (!isMusicXmlFileError(error)) throw error;
      notMusicXml(file, error);
    }
  };

  const checkAFile = async (): Promise<void> => {
    const file = await files.open(CHECKED_TYPES);
    if (file) setChecked({ name: file.name, check: checkFile(file.bytes), bytes: file.bytes });
  };

  // The desktop app's File menu runs the same actions.
  const actions = () => ({
    exportSong,
    exportClip,
    importIntoTrack,
    importScoreIntoTrack,
    exportScore: () => setExportingScore(true),
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
        else if (command === 'export-musicxml') run.exportScore();
        else if (command === 'import-musicxml' && !run.readOnly) void run.importScoreIntoTrack();
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
    { id: 'file-export-musicxml', label: 'Export MusicXML…', run: () => setExportingScore(true) },
    {
      id: 'file-import-musicxml-track',
      label: 'Import MusicXML into a track…',
      disabled: readOnly,
      run: () => void importScoreIntoTrack(),
    },
    { id: 'file-import-musicxml-song', label: 'Import MusicXML as new tracks…', disabled: readOnly, run: () => void importScoreAsTracks() },
    { id: 'file-check', label: 'Check a file…', run: () => void checkAFile() },
  ];

  return (
    <>
      <FileMenu items={items} />
      {importing && (
        <ImportIntoTrackDialog
          format={importing.format}
          testId={importing.format === 'MIDI' ? 'import-midi' : 'import-musicxml'}
          song={props.song}
          fileName={importing.fileName}
          summary={importing.summary}
          run={importing.run}
          defaultTrackId={clip?.trackId ?? null}
          edits={edits}
          notify={notify}
          onDone={(clipId) => {
            setImporting(null);
            if (clipId) props.selectClip(clipId);
          }}
        />
      )}
      {exportingScore && (
        <ExportScoreDialog
          song={props.song}
          current={current}
          selectedClipId={props.selectedClipId}
          files={files}
          notify={notify}
          onClose={() => setExportingScore(false)}
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
