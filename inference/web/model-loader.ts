/**
 * Loads a model folder (model.json card, vocabulary, weights) from a base URL, the browser twin of
 * node/model-folder.ts: the card is checked, the vocabulary must be this tokenizer's, and the
 * weights must hash to the card's sha256. Any missing, wrong or corrupt file is a ModelLoadError
 * naming the file's URL, never a crash or a silently wrong model. No Node APIs: it runs in a Web
 * Worker, and under Node (a benchmark) with a caller-supplied `fetchBytes` that reads files.
 */
import type { OriginalityIndex } from '../originality/index-file.ts';
import { originalityEntry, readOriginality } from '../originality/load.ts';
import { sha256Hex } from '../../core/hash/sha256.ts';
import type { ProviderReport } from '../contract.ts';
import type { CausalLm } from '../engine/causal-lm.ts';
import { ModelLoadError, checkCard, type ModelCard } from '../model-card.ts';
import { VocabularyMismatchError, checkVocabularyFile } from '../tokenizer/vocabulary-check.ts';
import { chooseWebProvider, prepareWebRuntime, type WebSessionOptions } from './session.ts';

/** Reads the bytes at a URL; throws when it cannot (the reason ends up in the ModelLoadError). */
export type FetchBytes = (url: string) => Promise<Uint8Array>;

export interface ModelFiles {
  card: ModelCard;
  weights: Uint8Array;
  /** The training data's fingerprints, when the card names them (inference/originality/). */
  originality: OriginalityIndex | null;
  /** The absolute URL of each file, as errors name them. */
  urls: { card: string; vocabulary: string; weights: string };
}

export interface WebLoadedModel {
  card: ModelCard;
  lm: CausalLm;
  provider: ProviderReport;
  originality: OriginalityIndex | null;
  urls: ModelFiles['urls'];
}

/** fetch() with an HTTP error status turned into an error (fetch itself resolves on a 404). */
export const fetchBytesOverHttp: FetchBytes = async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  return new Uint8Array(await response.arrayBuffer());
};

/** The folder URL with a trailing slash, so that file names resolve inside it, not beside it. */
export function folderUrl(base: string | URL): string {
  const href = String(base);
  return href.endsWith('/') ? href : `${href}/`;
}

async function readOrFail(url: string, fetchBytes: FetchBytes): Promise<Uint8Array> {
  try {
    return await fetchBytes(url);
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    throw new ModelLoadError(url, `cannot be read (${typeof e?.code === 'string' ? e.code : String(e?.message ?? error)})`);
  }
}

/**
 * sha256 of `bytes` as hex. crypto.subtle exists only in secure contexts (https, localhost); a tab
 * opened over plain http on a LAN address has none, and gets core's plain-TypeScript sha256.
 */
export async function sha256HexOf(bytes: Uint8Array): Promise<string> {
  const subtle = (
    globalThis as { crypto?: { subtle?: { digest(algorithm: string, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> } } }
  ).crypto?.subtle;
  if (!subtle) return sha256Hex(bytes);
  // digest() wants bytes it can read whole; copy only when `bytes` is a view of a larger or shared buffer.
  const owned =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
      ? (bytes as Uint8Array<ArrayBuffer>)
      : new Uint8Array(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', owned));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Fetches and checks the card, the vocabulary and the weights of the folder at `baseUrl`. */
export async function fetchModelFolder(baseUrl: string | URL, fetchBytes: FetchBytes = fetchBytesOverHttp): Promise<ModelFiles> {
  const base = folderUrl(baseUrl);
  const cardUrl = new URL('model.json', base).href;
  let parsed: unknown;
  const cardBytes = await readOrFail(cardUrl, fetchBytes);
  try {
    parsed = JSON.parse(new TextDecoder().decode(cardBytes));
  } catch {
    throw new ModelLoadError(cardUrl, 'is not valid JSON');
  }
  const card = checkCard(parsed, cardUrl);

  const vocabularyUrl = new URL(card.vocabulary.file, base).href;
  const vocabulary = new TextDecoder().decode(await readOrFail(vocabularyUrl, fetchBytes));
  try {
    checkVocabularyFile(vocabulary, vocabularyUrl, card.vocabulary.sha256);
  } catch (error) {
    if (error instanceof VocabularyMismatchError) throw new ModelLoadError(vocabularyUrl, error.message.slice(vocabularyUrl.length + 2));
    throw error;
  }

  const weightsUrl = new URL(card.weights.file, base).href;
  const entry = originalityEntry(card);
  const indexUrl = entry ? new URL(entry.file, base).href : null;
  // The index comes beside the weights, not after them.
  const [weights, indexBytes] = await Promise.all([readOrFail(weightsUrl, fetchBytes), indexUrl ? readOrFail(indexUrl, fetchBytes) : null]);
  const originality = entry && indexBytes ? readOriginality(entry, indexBytes, indexUrl!, await sha256HexOf(indexBytes)) : null;
  const sha = await sha256HexOf(weights);
  if (sha !== card.weights.sha256)
    throw new ModelLoadError(
      weightsUrl,
      `sha256 is ${sha} but the model card records ${card.weights.sha256} (corrupt or replaced weights)`,
    );
  return { card, weights, originality, urls: { card: cardUrl, vocabulary: vocabularyUrl, weights: weightsUrl } };
}

export interface WebLoadOptions extends WebSessionOptions {
  fetchBytes?: FetchBytes;
}

/**
 * Fetches and checks the folder, then opens it on onnxruntime-web (provider chosen as session.ts
 * says). Weights that pass the hash check but that onnxruntime cannot load are a ModelLoadError
 * naming the weights' URL too.
 */
export async function loadWebModelFolder(baseUrl: string | URL, options: WebLoadOptions = {}): Promise<WebLoadedModel> {
  // The runtime starts (its wasm compiles) while the model folder is fetched and hashed.
  const prepared = prepareWebRuntime(options);
  prepared.catch(() => {}); // awaited below, or moot when the folder fails first
  const { card, weights, originality, urls } = await fetchModelFolder(baseUrl, options.fetchBytes);
  try {
    const chosen = await chooseWebProvider(weights, card.shape, options, prepared);
    return { card, lm: chosen.lm, provider: chosen.report, originality, urls };
  } catch (error) {
    throw new ModelLoadError(urls.weights, `onnxruntime could not load it: ${(error as Error).message}`);
  }
}
