/** FileService in a browser tab: save = a download, open = the file picker. */
import type { FileService, OpenedFile } from './file-service.ts';

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
