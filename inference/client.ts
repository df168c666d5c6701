/**
 * The client side of the inference contract: what the renderer, tests and benchmarks use to ask a
 * host (utility process, child process or Web Worker) for clips. Requests are promises; notes
 * stream to a callback as the host decodes them; an AbortSignal cancels. When the host goes away
 * (a crash), every pending request fails with HostCrashed, and the owner attaches the restarted
 * host's transport; requests made meanwhile wait for it.
 */
import {
  INFERENCE_PROTOCOL,
  InferenceError,
  type ClientMessage,
  type HostMessage,
  type HostModelInfo,
  type ProviderReport,
  type WireError,
} from './contract.ts';
import type { GenerationRequest, GenerationResult, StreamedEvent } from './engine/request.ts';

/** A way to talk to a host: post a message, and get its messages. */
export interface Transport {
  post(message: ClientMessage): void;
  /** Subscribes to the host's messages; returns the unsubscribe function. */
  listen(handler: (data: unknown) => void): () => void;
}

export interface HostInfo {
  model: HostModelInfo;
  provider: ProviderReport;
}

export interface GenerateOptions {
  /** Each note (chord, for the chord track) as soon as it is decoded. */
  onNote?: (event: StreamedEvent) => void;
  /** Called when the host starts on this request (it may have queued behind others). */
  onStarted?: () => void;
  signal?: AbortSignal;
}

interface Pending {
  resolve: (result: GenerationResult) => void;
  reject: (error: Error) => void;
  options: GenerateOptions;
  message: ClientMessage;
  sent: boolean;
}

export class InferenceClient {
  private transport: Transport | null = null;
  private unlisten: (() => void) | null = null;
  private info: HostInfo | null = null;
  private readyWaiters: { resolve: (info: HostInfo) => void; reject: (error: Error) => void }[] = [];
  /** Why there is no host to serve (its model failed to load, or it is gone for good); cleared by attach. */
  private failure: InferenceError | null = null;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private readonly idPrefix = Math.random().toString(36).slice(2, 8);

  /** Talks to the host behind `transport` from now on; requests not yet sent go to it. */
  attach(transport: Transport): void {
    this.detachTransport();
    this.failure = null;
    this.transport = transport;
    this.unlisten = transport.listen((data) => this.onMessage(data as HostMessage));
    transport.post({ v: INFERENCE_PROTOCOL, type: 'hello' });
  }

  /**
   * The host is gone: requests it had fail with `error` (HostCrashed, typically). Unless `final`,
   * a new host is coming (the supervisor restarts it): new requests and ready() wait for the next
   * attach. `final`: none is coming; everything waiting fails, and so does anything asked later.
   */
  hostLost(error: WireError, options: { final?: boolean } = {}): void {
    this.detachTransport();
    for (const [id, p] of this.pending) {
      if (!p.sent && !options.final) continue;
      this.pending.delete(id);
      p.reject(new InferenceError(error));
    }
    if (options.final) this.fail(new InferenceError(error));
  }

  /** Remembers why nothing can be served and rejects whoever waits for readiness. */
  private fail(error: InferenceError): void {
    this.failure = error;
    for (const w of this.readyWaiters.splice(0)) w.reject(error);
  }

  /** What the host runs, once it said it is ready; rejects if it cannot load its model. */
  ready(): Promise<HostInfo> {
    if (this.info) return Promise.resolve(this.info);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  get host(): HostInfo | null {
    return this.info;
  }

  generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    const id = `${this.idPrefix}-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new InferenceError({ name: 'Cancelled', message: `request ${id} was cancelled` }));
        return;
      }
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const message: ClientMessage = { v: INFERENCE_PROTOCOL, type: 'generate', id, request, stream: Boolean(options.onNote) };
      const entry: Pending = { resolve, reject, options, message, sent: false };
      this.pending.set(id, entry);
      options.signal?.addEventListener('abort', () => this.cancel(id), { once: true });
      this.flush();
    });
  }

  private cancel(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (p.sent && this.transport) {
      // The host answers with a Cancelled error; settle now anyway so the caller never waits.
      this.transport.post({ v: INFERENCE_PROTOCOL, type: 'cancel', id });
    }
    this.pending.delete(id);
    p.reject(new InferenceError({ name: 'Cancelled', message: `request ${id} was cancelled` }));
  }

  /** Sends requests that were waiting for a ready host. */
  private flush(): void {
    if (!this.transport || !this.info) return;
    for (const p of this.pending.values()) {
      if (p.sent) continue;
      p.sent = true;
      this.transport.post(p.message);
    }
  }

  private detachTransport(): void {
    this.unlisten?.();
    this.unlisten = null;
    this.transport = null;
    this.info = null;
  }

  private onMessage(m: HostMessage): void {
    if (!m || typeof m !== 'object' || m.v !== INFERENCE_PROTOCOL) return;
    switch (m.type) {
      case 'ready': {
        this.info = { model: m.model, provider: m.provider };
        for (const w of this.readyWaiters.splice(0)) w.resolve(this.info);
        this.flush();
        return;
      }
      case 'unavailable': {
        const error = new InferenceError(m.error);
        this.fail(error);
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(error);
        }
        return;
      }
      case 'started':
        this.pending.get(m.id)?.options.onStarted?.();
        return;
      case 'queued':
        return;
      case 'notes': {
        const onNote = this.pending.get(m.id)?.options.onNote;
        if (onNote) for (const event of m.events) onNote(event);
        return;
      }
      case 'done': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.resolve(m.result);
        return;
      }
      case 'error': {
        if (m.id === null) return;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.reject(new InferenceError(m.error));
      }
    }
  }
}
