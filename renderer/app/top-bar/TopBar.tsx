/**
 * The top of the window, in two rows so nothing is squeezed on a laptop screen: the header (room,
 * song title, bandmates, connection) and the toolbar (transport, song settings, undo/redo, File).
 * Below them, only while not connected, a banner says why and what will happen to your edits.
 */
import type { Song } from '../../../core/song/types.ts';
import type { Transport } from '../../audio/transport.ts';
import type { FileService } from '../../platform/file-service.ts';
import { useUndoState } from '../../state/hooks.ts';
import type { Peer } from '../../state/presence.ts';
import type { RoomSession } from '../../state/session.ts';
import type { EditRunner, Notify } from '../edit-runner.ts';
import { RedoIcon, UndoIcon } from '../Icons.tsx';
import { FileActions } from '../../files/FileActions.tsx';
import { DesktopJam } from '../../desktop/JamDialogs.tsx';
import type { DesktopSession } from '../../platform/platform.ts';
import { ShareButtons } from '../../share/ShareDialogs.tsx';
import type { ShareService } from '../../share/share-service.ts';
import { Bandmates } from './Bandmates.tsx';
import { ConnectionBanner, ConnectionStatus } from './ConnectionStatus.tsx';
import { SongFields, TitleField } from './SongFields.tsx';
import { TransportControls } from './TransportControls.tsx';

interface TopBarProps {
  session: RoomSession;
  song: Song;
  peers: Peer[];
  transport: Transport;
  files: FileService;
  /** The desktop app's session (Host a jam / Join a jam); absent in a browser tab. */
  desktopSession?: DesktopSession;
  /** Share online (absent: the button is not shown); Keep a local copy needs only `files`. */
  share?: ShareService;
  edits: EditRunner;
  notify: Notify;
  selectedClipId: string | null;
  selectClip(clipId: string | null): void;
  onRename(): void;
}

export function TopBar({
  session,
  song,
  peers,
  transport,
  files,
  desktopSession,
  share,
  edits,
  notify,
  selectedClipId,
  selectClip,
  onRename,
}: TopBarProps) {
  const undo = useUndoState(session.undo);
  return (
    <header className="top-bar">
      <div className="bar-row header-row">
        <span className="brand">riffroom</span>
        <span className="room-name" title="Room">
          {session.link.room}
        </span>
        <TitleField doc={session.doc} meta={song.meta} edits={edits} />
        {session.readOnly && (
          <span className="role-badge" data-testid="viewer-badge" title="You joined with a viewer invite">
            viewing only
          </span>
        )}
        <span className="spacer" />
        {desktopSession && <DesktopJam session={desktopSession} notify={notify} />}
        <ShareButtons session={session} files={files} share={share} notify={notify} />
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
            type="button"
            className="icon"
            data-testid="undo"
            disabled={!undo.canUndo || session.readOnly}
            title={undo.undoLabel ? `Undo ${undo.undoLabel} (Mod+Z)` : 'Nothing of yours to undo'}
            onClick={() => session.undo.undo()}
          >
            <UndoIcon />
          </button>
          <button
            type="button"
            className="icon"
            data-testid="redo"
            disabled={!undo.canRedo || session.readOnly}
            title={undo.redoLabel ? `Redo ${undo.redoLabel} (Shift+Mod+Z)` : 'Nothing to redo'}
            onClick={() => session.undo.redo()}
          >
            <RedoIcon />
          </button>
          <FileActions
            session={session}
            song={song}
            selectedClipId={selectedClipId}
            selectClip={selectClip}
            files={files}
            edits={edits}
            notify={notify}
          />
        </div>
      </div>
      <ConnectionBanner connection={session.connection} />
    </header>
  );
}
