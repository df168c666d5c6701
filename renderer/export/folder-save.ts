/**
 * Stems into a folder the user picks, through the File System Access API (Chromium tabs and the
 * Electron window, whose renderer is Chromium): a subfolder "<title> stems" is made inside the
 * picked folder and every file written there. Where the API is missing the dialog offers the zip.
 */
import type { ArchiveFile } from './stems-archive.ts';

/** The parts of the API used here (typed locally: TypeScript's DOM library lacks the picker). */
interface WritableFile {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
interface FileHandle {
  createWritable(): Promise<WritableFile>;
}
export interface DirectoryHandle {
  readonly name: string;
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirectoryHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
}
type DirectoryPicker = (options?: { mode?: 'read' | 'readwrite'; id?: string }) => Promise<DirectoryHandle>;

function picker(): DirectoryPicker | null {
  const p = (globalThis as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
  return typeof p === 'function' ? p.bind(globalThis) : null;
}

export function canSaveToFolder(): boolean {
  return picker() !== null;
}

/** Resolves with "<picked>/<folder>" once every file is written, or null when the user cancelled. */
export async function saveToFolder(folder: string, files: ArchiveFile[]): Promise<string | null> {
  const pick = picker();
  if (!pick) throw new Error('this browser cannot write to a folder (no File System Access API): save the zip instead');
  let dir: DirectoryHandle;
  try {
    dir = await pick({ mode: 'readwrite', id: 'riffroom-stems' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') return null;
    throw error;
  }
  const into = await dir.getDirectoryHandle(folder, { create: true });
  for (const file of files) {
    const writable = await (await into.getFileHandle(file.name, { create: true })).createWritable();
    await writable.write(file.bytes);
    await writable.close();
  }
  return `${dir.name}/${folder}`;
}
