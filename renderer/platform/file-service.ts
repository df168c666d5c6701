/**
 * Saving and opening files without knowing where the app runs: a browser tab downloads and
 * uploads (browser-files.ts); the Electron window will use native dialogs (issue 6).
 */

export interface OpenedFile {
  name: string;
  bytes: Uint8Array;
}

export interface FileService {
  /** Saves `bytes` under a suggested file name (the user may pick another). */
  save(name: string, bytes: Uint8Array, mimeType: string): Promise<void>;
  /** Lets the user pick one file; null when they cancel. `accept`: extensions like ".mid". */
  open(accept: string[]): Promise<OpenedFile | null>;
}
