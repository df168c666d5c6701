/**
 * Choosing the execution provider for onnxruntime-node: GPU first where the platform has one
 * (CUDA/TensorRT when their libraries are installed, DirectML on Windows, CoreML on macOS, WebGPU
 * elsewhere), then the CPU. A GPU provider is kept only when it initialises and writes exactly
 * the CPU's tokens on a self-check; otherwise the next one is tried. The report says what ran and
 * why each provider before it was passed over.
 */
import * as ort from 'onnxruntime-node';
import type { ProviderReport } from '../contract.ts';
import { CausalLm, type ModelShape, type TensorConstructor } from '../engine/causal-lm.ts';
import { selfCheckTokens } from '../engine/self-check.ts';

/** 'auto' tries the platform's GPU providers, then the CPU; a name runs that provider (and the CPU if it fails). */
export type ProviderPreference = 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'tensorrt' | 'dml' | 'coreml';

export const PROVIDER_PREFERENCES: readonly ProviderPreference[] = ['auto', 'cpu', 'webgpu', 'cuda', 'tensorrt', 'dml', 'coreml'];

/** Providers to try, in order, on `platform` (always ending with the CPU). */
export function providerCandidates(preference: ProviderPreference, platform: NodeJS.Platform): string[] {
  if (preference === 'cpu') return ['cpu'];
  if (preference !== 'auto') return [preference, 'cpu'];
  switch (platform) {
    case 'win32':
      return ['cuda', 'dml', 'webgpu', 'cpu'];
    case 'darwin':
      return ['coreml', 'webgpu', 'cpu'];
    default:
      return ['tensorrt', 'cuda', 'webgpu', 'cpu'];
  }
}

export interface SessionOptions {
  /** CPU threads for one forward pass (default 1: decoding is a chain of small steps). */
  threads?: number;
}

const Tensor = ort.Tensor as unknown as TensorConstructor;
// onnxruntime logs a provider's failure to load on stderr as an error; it is reported instead.
ort.env.logLevel = 'fatal';

/** One session on one provider; throws what onnxruntime says when the provider cannot start. */
export async function openSession(weights: Uint8Array, provider: string, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(weights, {
    executionProviders: [provider],
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // The int8 weights' DequantizeLinear nodes are folded into float weights once, at load. Left
    // to itself the CPU provider fuses them into int8 kernels that quantize the activations too:
    // logits moved by up to 0.18, enough to change sampled notes, and the browser (onnxruntime-web,
    // same option) wrote other notes for the same seed. Now both compute the model as trained.
    extra: { session: { disable_quant_qdq: '1' } },
    // Probing a provider that is not installed logs errors of its own; its failure is reported instead.
    logSeverityLevel: provider === 'cpu' ? 2 : 4,
  });
}

export interface ChosenProvider {
  lm: CausalLm;
  session: ort.InferenceSession;
  report: ProviderReport;
}

/**
 * Opens the model on the first provider of `candidates` that works. The CPU session is the
 * reference for the self-check and the fallback, so it is always created (first, so that a
 * CPU-only machine pays for nothing else).
 */
export async function chooseProvider(
  weights: Uint8Array,
  shape: ModelShape,
  candidates: readonly string[],
  options: SessionOptions = {},
): Promise<ChosenProvider> {
  const tried: ProviderReport['tried'] = [];
  let started = performance.now();
  const cpuSession = await openSession(weights, 'cpu', options);
  const cpu = new CausalLm(cpuSession, shape, Tensor);
  const cpuMs = performance.now() - started;
  let reference: number[] | null = null;
  for (const name of candidates) {
    if (name === 'cpu') break;
    started = performance.now();
    let session: ort.InferenceSession | null = null;
    try {
      session = await openSession(weights, name, options);
      // The CPU session runs each prompt (see CausalLm: WebGPU crashes on an empty settled block).
      const lm = new CausalLm(session, shape, Tensor, { firstStep: cpuSession });
      reference ??= await selfCheckTokens(cpu);
      const tokens = await selfCheckTokens(lm);
      const mismatch = tokens.findIndex((t, i) => t !== reference![i]);
      if (mismatch >= 0) throw new Error(`self-check: token ${mismatch} is ${tokens[mismatch]}, the CPU wrote ${reference[mismatch]}`);
      tried.push({ name, ok: true, ms: Math.round(performance.now() - started) });
      return { lm, session, report: { name, tried } };
    } catch (error) {
      await session?.release().catch(() => {});
      tried.push({ name, ok: false, reason: firstLine((error as Error).message), ms: Math.round(performance.now() - started) });
    }
  }
  tried.push({ name: 'cpu', ok: true, ms: Math.round(cpuMs) });
  return { lm: cpu, session: cpuSession, report: { name: 'cpu', tried } };
}

function firstLine(message: string): string {
  // onnxruntime prefixes the source location; the reason is at the end of the first line.
  const line = message.split('\n')[0] ?? message;
  return line.length > 240 ? `${line.slice(0, 120)} … ${line.slice(-110)}` : line;
}
