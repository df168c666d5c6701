/**
 * What the app hands every mounted panel (the clip editor, the generator, the history): the room
 * session (document, store, presence, undo, link to the server), the current song snapshot and
 * selection, the transport, and the platform services. Panels edit the song only through
 * core/song/edits.ts, inside `edits.run(...)`.
 */
import type { Song } from '../../core/song/types.ts';
import type { Transport } from '../audio/transport.ts';
import type { FileService } from '../platform/file-service.ts';
import type { InferenceSource } from '../platform/inference-source.ts';
import type { RoomSession } from '../state/session.ts';
import type { EditRunner, Notify } from './edit-runner.ts';
import type { ShowReadOnlySong } from './read-only-song.ts';
import type { LibraryModel } from '../library/library-model.ts';

export interface PanelProps {
  session: RoomSession;
  song: Song;
  selectedClipId: string | null;
  selectClip(clipId: string | null): void;
  transport: Transport;
  inference: InferenceSource;
  files: FileService;
  edits: EditRunner;
  /** Shows a message on the status line. */
  notify: Notify;
  /** The user's riff library and prompt presets (renderer/library/), the same in every project. */
  library: LibraryModel;
  /** Shows a song read-only in the arrangement area (a past moment); null: back to the live song. */
  showReadOnlySong: ShowReadOnlySong;
  /**
   * "Generate more like this" (the side panel wires it): the library asks for variations of a
   * clip in the song; the AI panel takes the request once that clip is selected, and says so.
   */
  generateFrom?(clipId: string): void;
  varyRequest?: { clipId: string } | null;
  onVaryTaken?(): void;
}
