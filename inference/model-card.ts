/**
 * The model card (models/<id>/model.json): what a loader needs to run the weights safely (their
 * sha256, the vocabulary's hash, the network's shape) and what a person needs to trust them
 * (data, licenses, training, metrics).
 */
import type { ModelShape } from './engine/causal-lm.ts';
import { SEQUENCE_LAYOUT } from './tokenizer/prompt.ts';

export interface ModelCard {
  id: string;
  name: string;
  weights: { file: string; sha256: string; bytes: number; precision: string };
  /** layout: the sequence layout (prompt.ts SEQUENCE_LAYOUT) the model was trained on. */
  vocabulary: { file: string; version: string; sha256: string; layout: number };
  shape: ModelShape & { dModel: number; parameters: number };
  baseline?: { file: string; sha256: string; description: string };
  /** The training data's fingerprints for the originality check (inference/originality/load.ts). */
  originality?: { file: string; sha256: string; bytes: number; note: string };
  [extra: string]: unknown;
}

export class ModelLoadError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelLoadError';
    this.file = file;
  }
}

/** Checks a parsed card has what loading needs; throws ModelLoadError naming the card's file. */
export function checkCard(value: unknown, file: string): ModelCard {
  const card = value as Partial<ModelCard> | null;
  const fail = (what: string): never => {
    throw new ModelLoadError(file, `model card is missing or has a bad ${what}`);
  };
  if (!card || typeof card !== 'object') fail('body');
  if (typeof card!.id !== 'string') fail('id');
  if (!card!.weights || typeof card!.weights.file !== 'string' || !/^[0-9a-f]{64}$/.test(card!.weights.sha256 ?? '')) fail('weights entry');
  if (!card!.vocabulary || typeof card!.vocabulary.file !== 'string' || !/^[0-9a-f]{64}$/.test(card!.vocabulary.sha256 ?? ''))
    fail('vocabulary entry');
  if (card!.vocabulary!.layout !== SEQUENCE_LAYOUT) {
    throw new ModelLoadError(
      file,
      `the model was trained on sequence layout ${card!.vocabulary!.layout ?? 1}; this build writes layout ${SEQUENCE_LAYOUT}`,
    );
  }
  const shape = card!.shape;
  for (const key of ['layers', 'heads', 'headDim', 'vocabSize', 'maxPositions'] as const) {
    if (!shape || !Number.isInteger(shape[key]) || shape[key] <= 0) fail(`shape.${key}`);
  }
  return card as ModelCard;
}
