/**
 * The one contract between a generation host (a Node utility or child process, or a Web Worker)
 * and its clients (the renderer, tests, benchmarks). Messages are plain data, safe to post over a
 * MessagePort, Electron's parentPort or Node's IPC channel. Every message carries the protocol
 * version; a host refuses messages of another version or shape with an error reply, never a crash.
 */
import type { GenerationRequest, GenerationResult, StreamedEvent } from './engine/request.ts';

/**
 * What a client builds requests from and reads results with: the request and its parts, and the
 * vocabulary's ranges (roles, styles, energy, bars, meters, the grid). The renderer imports these
 * from here, never from the engine or the tokenizer (tests/layers.ts), so the engine's insides
 * can move without touching the UI.
 */
export type {
  GeneratedPart,
  GenerationProvenance,
  GenerationRequest,
  GenerationResult,
  Mode,
  SourcePart,
  StreamedEvent,
} from './engine/request.ts';
export { MODES } from './engine/request.ts';
export type { CopyReport } from './originality/check.ts';
export { DEFAULT_FOLLOW_CHORDS } from './engine/follow-chords.ts';
export type { TokenChord } from './tokenizer/events.ts';
export {
  ENERGY_LEVELS,
  MAX_BARS,
  METERS,
  MODEL_ROLES,
  STYLES,
  TICKS_PER_STEP,
  isSupportedMeter,
  meterName,
  type ModelRole,
  type NoteRole,
  type Style,
} from './tokenizer/vocabulary.ts';

export const INFERENCE_PROTOCOL = 1;

/** Which execution provider runs the model, and what was tried before it. */
export interface ProviderReport {
  /** The provider in use: 'cpu', 'webgpu', 'cuda', 'dml', 'coreml', 'wasm'. */
  name: string;
  /** Every provider tried, in order, with why it was passed over. */
  tried: { name: string; ok: boolean; reason?: string; ms: number }[];
}

export interface HostModelInfo {
  id: string;
  name: string;
  sha256: string;
  /** Milliseconds from start to a model ready to generate (hash checks and provider choice included). */
  loadMs: number;
}

/** Errors a client may receive, by name: what went wrong is in `message`. */
export type InferenceErrorName =
  | 'RequestError' // the request is invalid (says what)
  | 'Cancelled' // the client cancelled it
  | 'HostCrashed' // the host process died while it was queued or running; it restarts
  | 'ModelLoadError' // the model could not be loaded (names the file)
  | 'ProtocolError' // the message was not one this host understands
  | 'EngineError'; // anything else the engine threw

/** Why a host has no model to serve. */
export type ServiceStateError = Extract<InferenceErrorName, 'ModelLoadError' | 'EngineError'>;

export interface WireError {
  name: InferenceErrorName;
  message: string;
}

/** Client → host. */
export type ClientMessage =
  | { v: typeof INFERENCE_PROTOCOL; type: 'generate'; id: string; request: GenerationRequest; stream?: boolean }
  | { v: typeof INFERENCE_PROTOCOL; type: 'cancel'; id: string }
  | { v: typeof INFERENCE_PROTOCOL; type: 'hello' };

/** Host → client. */
export type HostMessage =
  | { v: typeof INFERENCE_PROTOCOL; type: 'ready'; model: HostModelInfo; provider: ProviderReport }
  | { v: typeof INFERENCE_PROTOCOL; type: 'unavailable'; error: WireError }
  | { v: typeof INFERENCE_PROTOCOL; type: 'queued'; id: string; ahead: number }
  | { v: typeof INFERENCE_PROTOCOL; type: 'started'; id: string }
  | { v: typeof INFERENCE_PROTOCOL; type: 'notes'; id: string; events: StreamedEvent[] }
  | { v: typeof INFERENCE_PROTOCOL; type: 'done'; id: string; result: GenerationResult }
  | { v: typeof INFERENCE_PROTOCOL; type: 'error'; id: string | null; error: WireError };

/**
 * From the process that started a host to the host, with a MessagePort attached: a new client
 * (an Electron window) talks to the host over that port from now on, bypassing the sender.
 */
export interface ConnectMessage {
  v: typeof INFERENCE_PROTOCOL;
  type: 'connect';
}

/**
 * Page to Web Worker host, before any client message, when the worker's URL does not carry its
 * config (web/worker-config.ts): where the model folder and onnxruntime-web's runtime files are.
 */
export interface ConfigureMessage {
  v: typeof INFERENCE_PROTOCOL;
  type: 'configure';
  modelUrl: string;
  wasmUrl: string;
  /** wasm threads; default: as many as help (web/session.ts). */
  threads?: number;
  /** 'wasm' skips WebGPU even where the browser has it; default 'auto'. */
  providers?: 'auto' | 'wasm';
  /** Milliseconds of warm-up riffs decoded while idle (host/warm-up.ts); 0: none. Default 8000. */
  warmUpMs?: number;
}

const ID_PATTERN = /^[\w.:-]{1,64}$/;

/**
 * Checks an incoming client message; returns it typed, or a WireError saying what is wrong
 * (the request body itself is checked later by the engine's planner).
 */
export function parseClientMessage(data: unknown): ClientMessage | WireError {
  const fail = (message: string): WireError => ({ name: 'ProtocolError', message });
  if (!data || typeof data !== 'object' || Array.isArray(data)) return fail('a message must be an object');
  const m = data as Record<string, unknown>;
  if (m.v !== INFERENCE_PROTOCOL) return fail(`protocol version ${JSON.stringify(m.v)} is not ${INFERENCE_PROTOCOL}`);
  switch (m.type) {
    case 'hello':
      return { v: INFERENCE_PROTOCOL, type: 'hello' };
    case 'cancel':
      if (typeof m.id !== 'string' || !ID_PATTERN.test(m.id)) return fail('cancel needs a request id');
      return { v: INFERENCE_PROTOCOL, type: 'cancel', id: m.id };
    case 'generate':
      if (typeof m.id !== 'string' || !ID_PATTERN.test(m.id)) return fail('generate needs an id of 1..64 word characters');
      if (!m.request || typeof m.request !== 'object') return fail('generate needs a request object');
      return { v: INFERENCE_PROTOCOL, type: 'generate', id: m.id, request: m.request as GenerationRequest, stream: m.stream === true };
    default:
      return fail(`unknown message type ${JSON.stringify(m.type)}`);
  }
}

export function isWireError(value: unknown): value is WireError {
  return (
    Boolean(value) &&
    typeof value === 'object' &&
    typeof (value as WireError).name === 'string' &&
    typeof (value as WireError).message === 'string' &&
    !('type' in (value as object))
  );
}

/** Builds a client-side Error from a wire error, keeping its name so callers can tell them apart. */
export class InferenceError extends Error {
  constructor(error: WireError) {
    super(error.message);
    this.name = error.name;
  }
}
