/**
 * Loads a model folder (model.json card, weights, vocabulary, originality index) into
 * onnxruntime-node, checking the weights' and the index's sha256 and the vocabulary's hash first: a wrong or corrupt file is an error that
 * names the file, never a crash or a silently wrong model.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderReport } from '../contract.ts';
import type { CausalLm } from '../engine/causal-lm.ts';
import { ModelLoadError, checkCard, type ModelCard } from '../model-card.ts';
import { VocabularyMismatchError, checkVocabularyFile } from '../tokenizer/vocabulary-check.ts';
import { chooseProvider } from './providers.ts';
import type { OriginalityIndex } from '../originality/index-file.ts';
import { originalityEntry, readOriginality } from '../originality/load.ts';

export interface LoadedModel {
  card: ModelCard;
  lm: CausalLm;
  dir: string;
  provider: ProviderReport;
  /** The training data's fingerprints (null: the card names none; generations are not checked). */
  originality: OriginalityIndex | null;
}

export interface LoadOptions {
  /** CPU threads for one forward pass (default 1: generation is a chain of small steps). */
  threads?: number;
  /** Execution providers to try in order (see providers.ts); default the CPU alone. */
  providers?: readonly string[];
}

function readOrFail(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ModelLoadError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export async function loadModelFolder(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const cardPath = join(dir, 'model.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readOrFail(cardPath).toString('utf8'));
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(cardPath, 'is not valid JSON');
  }
  const card = checkCard(parsed, cardPath);
  const vocabPath = join(dir, card.vocabulary.file);
  try {
    checkVocabularyFile(readOrFail(vocabPath).toString('utf8'), vocabPath, card.vocabulary.sha256);
  } catch (error) {
    if (error instanceof VocabularyMismatchError) throw new ModelLoadError(vocabPath, error.message.slice(vocabPath.length + 2));
    throw error;
  }
  const weightsPath = join(dir, card.weights.file);
  const weights = readOrFail(weightsPath);
  const sha = createHash('sha256').update(weights).digest('hex');
  if (sha !== card.weights.sha256)
    throw new ModelLoadError(
      weightsPath,
      `sha256 is ${sha} but the model card records ${card.weights.sha256} (corrupt or replaced weights)`,
    );
  const entry = originalityEntry(card);
  const originality = entry ? readOriginality(entry, readOrFail(join(dir, entry.file)), join(dir, entry.file)) : null;
  try {
    const chosen = await chooseProvider(weights, card.shape, options.providers ?? ['cpu'], { threads: options.threads });
    return { card, lm: chosen.lm, dir, provider: chosen.report, originality };
  } catch (error) {
    throw new ModelLoadError(weightsPath, `onnxruntime could not load it: ${(error as Error).message}`);
  }
}
