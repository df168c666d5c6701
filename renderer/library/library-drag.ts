/**
 * A riff dragged from the library panel onto a track lane: the drag carries the library clip's
 * id under its own type, so a lane accepts only riffs (not files or text) and reads where it was
 * dropped; App inserts it through insertLibraryClip like the panel's Insert button.
 */
export const LIBRARY_DRAG_TYPE = 'application/x-riffroom-library-clip';

/** What a dragstart/dragover/drop event's dataTransfer offers (structural: tested under Node). */
interface Transfer {
  readonly types: readonly string[];
  getData(format: string): string;
  setData(format: string, data: string): void;
  effectAllowed: string;
}

export function startLibraryDrag(transfer: Transfer, libraryClipId: string): void {
  transfer.setData(LIBRARY_DRAG_TYPE, libraryClipId);
  transfer.setData('text/plain', libraryClipId);
  transfer.effectAllowed = 'copy';
}

/** Whether a drag over a lane is a library riff (the id itself is only readable on drop). */
export const isLibraryDrag = (transfer: Pick<Transfer, 'types'> | null): boolean => Boolean(transfer?.types.includes(LIBRARY_DRAG_TYPE));

/** The dropped riff's id, or null when the drop is something else. */
export function droppedLibraryClip(transfer: Pick<Transfer, 'types' | 'getData'> | null): string | null {
  if (!isLibraryDrag(transfer)) return null;
  const id = transfer!.getData(LIBRARY_DRAG_TYPE);
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : null;
}

/** The whole bar under the pointer: `x` pixels into a lane of `barPx` pixels a bar. */
export const dropBar = (x: number, barPx: number): number => Math.max(0, Math.floor(x / barPx));
