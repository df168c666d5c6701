/**
 * FileService in a browser tab: save = a download (counted as saved: the browser, not the page,
 * asks where), open = the file picker, drag out = a DownloadURL drag (Chromium downloads the file
 * where it is dropped; other browsers carry only the name).
 */
import { dragFileName } from '../../core/midi/clip-file-name.ts';
import type { FileService, OpenedFile } from './file-service.ts';

/** How long a dragged clip's blob URL stays valid: the drop (and its download) happens well before. */
const DRAG_URL_MS = 5 * 60_000;

export function browserFiles(): FileService {
  return {
    async save(name, bytes, mimeType) {
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mimeType }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.style.display = 'none';
      document.body.append(a);
      a.click();
      a.remove();
      // The download has started from the URL; free it after the click has been handled.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return name;
    },
    async dragOut(event, file) {
      const data = event.dataTransfer;
      if (!data) throw new Error('this drag carries no data');
      const name = dragFileName(file.trackName, file.clipName);
      const url = URL.createObjectURL(new Blob([file.bytes as BlobPart], { type: 'audio/midi' }));
      // Chromium's drag-out-a-download: "<mime>:<file name>:<url>" (the name has no ':' in it).
      data.setData('DownloadURL', `audio/midi:${name}:${url}`);
      data.setData('text/plain', name);
      data.effectAllowed = 'copy';
      setTimeout(() => URL.revokeObjectURL(url), DRAG_URL_MS);
    },
    open(accept) {
      return new Promise<OpenedFile | null>((resolve) => {
        const input = document.createElement('input');
        input.type = 'file';
        input.accept = accept.join(',');
        input.style.display = 'none';
        const done = (file: OpenedFile | null): void => {
          input.remove();
          resolve(file);
        };
        input.addEventListener('change', async () => {
          const file = input.files?.[0];
          done(file ? { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : null);
        });
        input.addEventListener('cancel', () => done(null));
        document.body.append(input);
        input.click();
      });
    },
  };
}
