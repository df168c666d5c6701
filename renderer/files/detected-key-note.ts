/**
 * The sentence the "Import MIDI as new tracks" notification adds about the key when the file
 * names none: the key its notes sound in, and whether the song took it (core/midi/midi-import.ts
 * sets it unless the detection's confidence is low).
 */
import { keyName } from '../../core/analysis/key.ts';
import type { MidiSongImport } from '../../core/midi/song-midi.ts';

/** '' when the file named its key. */
export function detectedKeyNote(result: Pick<MidiSongImport, 'detectedKey' | 'key'>): string {
  const detected = result.detectedKey;
  if (!detected) return '';
  const name = keyName(detected.key);
  if (result.key) {
    return `. The file names no key: its notes sound in ${name} (${detected.confidence} confidence), now the song's key; undo or change it if not.`;
  }
  return `. The file names no key, and its notes only hint at ${name} (low confidence): the song's key is unchanged.`;
}
