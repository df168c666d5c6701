/**
 * A song shown read-only in the arrangement area instead of the live one: a past moment of the
 * history, or a replay's current state. The panel that opens it (history/) supplies the banner
 * above the arrangement (what is shown and the way back) and a transport that plays that song;
 * while it is shown, the top bar's transport, Space and the arrangement's playhead drive that
 * transport, and every edit is refused with a word on why.
 */
import type { ReactNode } from 'react';
import type { Song } from '../../core/song/types.ts';
import type { Transport } from '../audio/transport.ts';
import type { EditRunner, Notify } from './edit-runner.ts';

export interface ReadOnlySongView {
  song: Song;
  /** Shown above the arrangement. */
  banner: ReactNode;
  /** Plays `song` (not the live document). */
  transport: Transport;
}

/** Shows a song read-only in the arrangement area; null goes back to the live song. */
export type ShowReadOnlySong = (view: ReadOnlySongView | null) => void;

/** The EditRunner of a read-only view: refuses every edit and says why. */
export function readOnlyViewEdits(notify: Notify): EditRunner {
  return {
    readOnly: true,
    run() {
      notify('This is a past moment of the song: go back to now to edit.', 'error');
      return undefined;
    },
  };
}
