/** Reads a text file the server may or may not have been given (a secret, a config). */
import { readFileSync } from 'node:fs';

/** The file's text, or null when it does not exist; any other error is thrown. */
export function readOptionalFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
