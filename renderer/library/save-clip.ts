/**
 * "Save to library" for a clip of the open song, wherever it is asked (the Library tab, the
 * editor's title bar): the clip as a library entry (core/library/clip-entry.ts) kept by this
 * user, with a notice either way.
 */
import { libraryClipFromSong } from '../../core/library/clip-entry.ts';
import type { PanelProps } from '../app/panel-props.ts';

/** Who this user is to bandmates now (a rename goes through presence). */
export function localName(session: PanelProps['session']): string {
  const user = session.awareness.getLocalState()?.user as { name?: unknown } | undefined;
  return typeof user?.name === 'string' && user.name ? user.name : session.user.name;
}

/** Resolves true once saved (false: refused, and the user was told why). */
export async function saveClipToLibrary(
  props: Pick<PanelProps, 'session' | 'library' | 'notify'>,
  clipId: string,
  tags: string[] = [],
): Promise<boolean> {
  try {
    const entry = libraryClipFromSong(props.session.store.current(), clipId, { savedBy: localName(props.session), tags });
    await props.library.saveClip(entry);
    props.notify(`Saved “${entry.name}” to your library`);
    return true;
  } catch (error) {
    props.notify(`The clip could not be saved to your library: ${(error as Error).message}`, 'error');
    return false;
  }
}
