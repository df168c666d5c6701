/**
 * Where a generated clip came from, kept in the clip itself (core Clip.provenance: source 'model')
 * so anyone in the room can see it and write it again: the engine's provenance (model id and
 * sha256, task, conditions, seed, sampling, provider, timing) plus who asked, when, the exact
 * request, and which variation and bars of the result the clip holds.
 *
 * A bandmate's document is untrusted input: readGeneratedDetail() checks the shape before the
 * panel shows it or re-rolls from it.
 */
import type { Provenance } from '../../core/song/types.ts';
import type { GenerationProvenance, GenerationRequest, GenerationResult } from '../../inference/contract.ts';
import type { TakeSlice } from './build-request.ts';
import { ENERGY_LABELS, MODE_LABELS } from './settings.ts';

export const PROVENANCE_FORMAT = 'riffroom-generator/1';

export interface GeneratedClipDetail extends GenerationProvenance {
  format: typeof PROVENANCE_FORMAT;
  /** The display name of the bandmate who kept it. */
  requestedBy: string;
  /** ISO 8601 time it was kept. */
  requestedAt: string;
  /** The request exactly as it was sent: re-running it gives the same notes on the same model. */
  request: GenerationRequest;
  /** Which variation of the result, and which of its bars, the clip holds. */
  take: { variation: number } & TakeSlice;
}

/** Plain JSON (no undefined, no shared references): what a Y.Map stores and every peer reads back alike. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function generatedProvenance(
  result: GenerationResult,
  request: GenerationRequest,
  take: { variation: number } & TakeSlice,
  requestedBy: string,
  at: Date,
): Provenance {
  const detail: GeneratedClipDetail = {
    ...result.provenance,
    format: PROVENANCE_FORMAT,
    requestedBy,
    requestedAt: at.toISOString(),
    request,
    take,
  };
  return { source: 'model', detail: plain(detail) as unknown as Record<string, unknown> };
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** The generator's detail of a clip's provenance, or null when it has none or it is malformed. */
export function readGeneratedDetail(provenance: Provenance | null | undefined): GeneratedClipDetail | null {
  if (provenance?.source !== 'model' || !isObject(provenance.detail)) return null;
  const d = provenance.detail;
  const model = d.model;
  const request = d.request;
  const take = d.take;
  const ok =
    d.format === PROVENANCE_FORMAT &&
    isObject(model) &&
    typeof model.id === 'string' &&
    typeof model.sha256 === 'string' &&
    isObject(request) &&
    typeof request.task === 'string' &&
    typeof request.role === 'string' &&
    isInt(request.seed) &&
    isObject(request.sampling) &&
    isObject(request.meter) &&
    isObject(take) &&
    isInt(take.variation) &&
    isInt(take.fromBar) &&
    isInt(take.bars) &&
    typeof d.requestedBy === 'string' &&
    typeof d.requestedAt === 'string';
  return ok ? (d as unknown as GeneratedClipDetail) : null;
}

export const shortSha = (sha: string): string => sha.slice(0, 8);

const KEY_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];

export function keyName(key: { tonic: number; mode: string } | null): string {
  return key ? `${KEY_NAMES[((key.tonic % 12) + 12) % 12]} ${key.mode}` : 'no key';
}

export interface ProvenanceSummary {
  /** "dev-v1-relabelled · 698d6b5c" */
  model: string;
  seed: number;
  /** "vary · bass · funk · E minor · 4 bars · steady · temp 1 · keep rhythm, new notes · scale lock" */
  settings: string;
  /** "variation 2 of 3" */
  take: string;
  who: string;
  /** Local date and time. */
  when: string;
  /** "wasm · 1.2 s" */
  engine: string;
}

/** What the panel shows about a generated clip. */
export function summarizeProvenance(d: GeneratedClipDetail, formatTime: (iso: string) => string = defaultTime): ProvenanceSummary {
  const r = d.request;
  const parts = [
    r.task === 'infill' && r.infill ? `fill bars ${r.infill.from + 1}–${r.infill.to}` : r.task,
    r.role,
    r.style,
    r.role === 'drums' ? null : keyName(r.key),
    `${d.conditions?.bars ?? r.bars} bars`,
    ENERGY_LABELS[r.energy] ?? `energy ${r.energy}`,
    `temp ${r.sampling.temperature}`,
    r.mode && r.mode !== 'free' ? MODE_LABELS[r.mode] : null,
    r.scaleLock ? 'scale lock' : null,
    d.conditions?.locks ? `${d.conditions.locks} locked notes` : null,
  ];
  const seconds = d.timing ? `${(d.timing.totalMs / 1000).toFixed(1)} s` : null;
  return {
    model: `${d.model.id} · ${shortSha(d.model.sha256)}`,
    seed: r.seed,
    settings: parts.filter(Boolean).join(' · '),
    take: `variation ${d.take.variation + 1} of ${r.variations}`,
    who: d.requestedBy || 'someone',
    when: formatTime(d.requestedAt),
    engine: [d.provider, seconds].filter(Boolean).join(' · '),
  };
}

function defaultTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// A note's identity and a take's fingerprint live in core: exports compare a clip's notes with
// the ones the model wrote (core/provenance/generated-notes.ts).
export { noteKey, notesFingerprint, sameNotes } from '../../core/provenance/generated-notes.ts';
