/**
 * The check a model loader makes before running a model: the vocabulary file shipped beside the
 * weights must be byte-for-byte the vocabulary this tokenizer numbers tokens with. A model trained
 * on other token ids would produce fluent nonsense, so a mismatch is an error naming the file.
 */
import { sha256Hex } from '../../core/hash/sha256.ts';
import { VOCABULARY_VERSION, vocabularyJson } from './vocabulary.ts';

/** sha256 of this tokenizer's vocabulary file; model cards record it. */
export const VOCABULARY_SHA256 = sha256Hex(vocabularyJson());

export class VocabularyMismatchError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'VocabularyMismatchError';
    this.file = file;
  }
}

/**
 * Throws VocabularyMismatchError unless `text` (the contents of `file`) is this tokenizer's
 * vocabulary and, when given, hashes to `expectedSha256` (the model card's record).
 */
export function checkVocabularyFile(text: string, file: string, expectedSha256?: string): void {
  const actual = sha256Hex(text);
  if (expectedSha256 !== undefined && actual !== expectedSha256) {
    throw new VocabularyMismatchError(file, `sha256 is ${actual} but the model card records ${expectedSha256}`);
  }
  if (actual !== VOCABULARY_SHA256) {
    let version = 'unknown';
    try {
      version = String((JSON.parse(text) as { version?: unknown }).version);
    } catch {
      throw new VocabularyMismatchError(file, 'is not a JSON vocabulary file');
    }
    throw new VocabularyMismatchError(
      file,
      `vocabulary ${version} (sha256 ${actual}) is not this tokenizer's ${VOCABULARY_VERSION} (sha256 ${VOCABULARY_SHA256})`,
    );
  }
}
