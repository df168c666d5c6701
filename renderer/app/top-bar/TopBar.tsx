/**
 * The top of the window, in two rows so nothing is squeezed on a laptop screen: the header (room,
 * song title, bandmates, connection) and the toolbar (transport, song settings, undo/redo, File).
 * Below them, only while not connected, a banner says why and what will happen to your edits.
 */
import { importMidiSong, MidiFormatError, songToMidi } from '../../../core/midi/song-midi.ts';
import type { Song } from '../../../core/song/types.ts';
import type { Transport } from '../../audio/transport.ts';
import type { FileService } from '../../platform/file-service.ts';
import { useUndoState } from '../../state/hooks.ts';
import type { Peer } from '../../state/presence.ts';
import type { RoomSession } from '../../state/session.ts';
import type { EditRunner, Notify } from '../edit-runner.ts';
import { RedoIcon, UndoIcon } from '../Icons.tsx';
import { Bandmates } from './Bandmates.tsx';
import { ConnectionBanner, ConnectionStatus } from './ConnectionStatus.tsx';
import { FileMenu } from './FileMenu.tsx';
import { SongFields, TitleField } from './SongFields.tsx';
import { TransportControls } from './TransportControls.tsx';

interface TopBarProps {
  session: RoomSession;
  song: Song;
  peers: Peer[];
  transport: Transport;
  files: FileService;
  edits: EditRunner;
  notify: Notify;
  onRename(): void;
}

function fileName(title: string): string {
  return `${title.replace(/[^\w\- ]+/g, '').trim() || 'riffroom-song'}.mid`;
}

export function TopBar({ session, song, peers, transport, files, edits, notify, onRename }: TopBarProps) {
  const undo = useUndoState(session.undo);
  const exportMidi = async (): Promise<void> => {
    await files.save(fileName(song.meta.title), songToMidi(song), 'audio/midi');
    notify(`Saved ${fileName(song.meta.title)}`);
  };
  const importMidi = async (): Promise<void> => {
    const file = await files.open(['.mid', '.midi']);
    if (!file) return;
    try {
      const result = edits.run(() => importMidiSong(session.doc, file.bytes, { fileName: file.name }));
      if (result) notify(`Imported ${file.name}: ${result.trackIds.length} tracks${result.warnings.length ? ` (${result.warnings.join('; ')})` : ''}`);
    } catch (error) {
      if (!(error instanceof MidiFormatError)) throw error;
      notify(`${file.name} is not a MIDI file Riffroom can read: ${error.message}`, 'error');
    }
  };
  return (
    <header className="top-bar">
      <div className="bar-row header-row">
        <span className="brand">riffroom</span>
        <span className="room-name" title="Room">{session.link.room}</span>
        <TitleField doc={session.doc} meta={song.meta} edits={edits} />
        {session.readOnly && <span className="role-badge" data-testid="viewer-badge" title="You joined with a viewer invite">viewing only</span>}
        <span className="spacer" />
        <Bandmates peers={peers} onRename={onRename} />
        <ConnectionStatus connection={session.connection} />
      </div>
      <div className="bar-row toolbar-row">
        <TransportControls transport={transport} meter={song.meta.meter} />
        <span className="divider" />
        <SongFields doc={session.doc} meta={song.meta} edits={edits} notify={notify} />
        <span className="spacer" />
        <div className="group">
          <button
            className="icon"
            data-testid="undo"
            disabled={!undo.canUndo || session.readOnly}
            title={undo.undoLabel ? `Undo ${undo.undoLabel} (Mod+Z)` : 'Nothing of yours to undo'}
            onClick={() => session.undo.undo()}
          >
            <UndoIcon />
          </button>
          <button
            className="icon"
            data-testid="redo"
            disabled={!undo.canRedo || session.readOnly}
            title={undo.redoLabel ? `Redo ${undo.redoLabel} (Shift+Mod+Z)` : 'Nothing to redo'}
            onClick={() => session.undo.redo()}
          >
            <RedoIcon />
          </button>
          <FileMenu readOnly={session.readOnly} onExport={() => void exportMidi()} onImport={() => void importMidi()} />
        </div>
      </div>
      <ConnectionBanner connection={session.connection} />
    </header>
  );
}
