/**
 * Saving and opening files without knowing where the app runs: a browser tab downloads and
 * uploads (browser-files.ts); the Electron window uses native dialogs (electron-platform.ts).
 */

export interface OpenedFile {
  name: string;
  bytes: Uint8Array;
}

/** A clip dragged out of the page into a DAW or a folder: a MIDI file named "<track> - <clip>.mid". */
export interface DragOutFile {
  trackName: string;
  clipName: string;
  /** A Standard MIDI File (core/midi clipToMidi). */
  bytes: Uint8Array;
}

/** What dragOut reads of a `dragstart` event (a DOM DragEvent; structural so Node code can type-check it). */
export interface DragStart {
  preventDefault(): void;
  readonly dataTransfer: { setData(format: string, data: string): void; effectAllowed: string } | null;
}

export interface FileService {
  /**
   * Saves `bytes` under a suggested file name (the user may pick another). Resolves with the name
   * it was saved under (a download in a tab counts as saved), or null when the user cancelled the
   * save dialog: then nothing was saved and the UI must not say it was.
   */
  save(name: string, bytes: Uint8Array, mimeType: string): Promise<string | null>;
  /** Lets the user pick one file; null when they cancel. `accept`: extensions like ".mid". */
  open(accept: string[]): Promise<OpenedFile | null>;
  /**
   * Called from a `dragstart` handler: makes the drag carry `file` out of the page. The Electron
   * window starts a native file drag (and cancels the page's own); Chromium tabs use a DownloadURL
   * drag (the file is downloaded where it is dropped); elsewhere the drag carries only the name.
   * Rejects when the file could not be handed over (the gesture simply does nothing then).
   */
  dragOut?(event: DragStart, file: DragOutFile): Promise<void>;
}
