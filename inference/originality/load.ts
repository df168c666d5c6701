/**
 * Reads the originality index a model folder ships (card.originality: file and sha256), for both
 * hosts: the Node host reads the file, the web worker fetches it. A file whose hash is not the
 * card's, or that is not an index, fails the model's load with a ModelLoadError naming the file,
 * like corrupt weights do; a card without an index (a model built before it) loads without one,
 * and its generations are not checked (each host says so in its model info).
 */
import { sha256Hex } from '../../core/hash/sha256.ts';
import { ModelLoadError, type ModelCard } from '../model-card.ts';
import { decodeIndex, IndexFileError, type OriginalityIndex } from './index-file.ts';

/** What the card says of its index. */
export interface OriginalityEntry {
  file: string;
  sha256: string;
}

export function originalityEntry(card: ModelCard): OriginalityEntry | null {
  const entry = card.originality as Partial<OriginalityEntry> | undefined;
  if (entry === undefined) return null;
  if (!entry || typeof entry.file !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256 ?? '')) {
    throw new ModelLoadError('model.json', 'model card has a bad originality entry (file and sha256)');
  }
  return { file: entry.file, sha256: entry.sha256! };
}

/**
 * Checks `bytes` against the card's hash and reads the index; `path` names the file in errors.
 * `sha`: the bytes' sha256 when the caller has a faster way to it (the worker's crypto.subtle).
 */
export function readOriginality(entry: OriginalityEntry, bytes: Uint8Array, path: string, sha = sha256Hex(bytes)): OriginalityIndex {
  if (sha !== entry.sha256) {
    throw new ModelLoadError(path, `sha256 is ${sha} but the model card records ${entry.sha256} (corrupt or replaced index)`);
  }
  try {
    return decodeIndex(bytes);
  } catch (error) {
    if (error instanceof IndexFileError) throw new ModelLoadError(path, error.message);
    throw error;
  }
}
