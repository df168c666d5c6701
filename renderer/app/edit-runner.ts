/**
 * Runs the UI's edits. Every change to the song goes through a typed edit of core/song/edits.ts
 * (one labelled transaction each); this adds what the UI needs around them: viewers are told
 * they cannot edit instead of being disconnected by the server, and a refused edit
 * (EditError: "clip start bar must be…") becomes a message on the status line, not an exception.
 */
import { EditError } from '../../core/song/validate.ts';

export type Notify = (message: string, kind?: 'info' | 'error') => void;

export interface EditRunner {
  readonly readOnly: boolean;
  /** Runs `edit`; returns its result, or undefined when it was refused. */
  run<T>(edit: () => T): T | undefined;
}

export function createEditRunner(readOnly: boolean, notify: Notify): EditRunner {
  return {
    readOnly,
    run(edit) {
      if (readOnly) {
        notify('You joined as a viewer: you can look and listen, not edit.', 'error');
        return undefined;
      }
      try {
        return edit();
      } catch (error) {
        if (error instanceof EditError) {
          notify(error.message, 'error');
          return undefined;
        }
        throw error;
      }
    },
  };
}
