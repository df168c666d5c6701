/**
 * The generation service a host runs: one engine, any number of client connections, one request
 * decoding at a time (the runtime's threads all go to it), and a fair queue: clients take turns,
 * so a bandmate asking for eight riffs in a row never starves another's single one. Streams notes
 * as they are decoded, cancels at once, and turns every failure into an error reply. Runtime-
 * neutral: the Node host (utility or child process) and the Web Worker host both run it.
 */
import {
  INFERENCE_PROTOCOL,
  isWireError,
  parseClientMessage,
  type HostMessage,
  type HostModelInfo,
  type ProviderReport,
  type WireError,
} from '../contract.ts';
import type { CausalLm } from '../engine/causal-lm.ts';
import { Engine } from '../engine/engine.ts';
import { GrammarError } from '../engine/grammar.ts';
import { RequestError, type GenerationRequest, type StreamedEvent } from '../engine/request.ts';
import { ModelLoadError, type ModelCard } from '../model-card.ts';
import type { OriginalityIndex } from '../originality/index-file.ts';

/** Where replies to one client go. */
export interface ClientSink {
  send(message: HostMessage): void;
}

export type ServiceState =
  | { kind: 'ready'; engine: Engine; model: HostModelInfo; provider: ProviderReport }
  | { kind: 'unavailable'; error: WireError };

/**
 * A host's state once its loader settles: ready with an engine on the loaded model (`loadMs`
 * counted from `startedAt`, performance.now(): by default when it is called), or unavailable with why the model did not load.
 */
export async function settleServiceState(
  load: () => Promise<{ card: ModelCard; lm: CausalLm; provider: ProviderReport; originality?: OriginalityIndex | null }>,
  startedAt = performance.now(),
): Promise<ServiceState> {
  try {
    const loaded = await load();
    const model = { id: loaded.card.id, name: loaded.card.name, sha256: loaded.card.weights.sha256 };
    return {
      kind: 'ready',
      engine: new Engine(loaded.lm, model, loaded.provider.name, undefined, loaded.originality ?? null),
      model: { ...model, loadMs: Math.round(performance.now() - startedAt) },
      provider: loaded.provider,
    };
  } catch (error) {
    const name = error instanceof ModelLoadError ? 'ModelLoadError' : 'EngineError';
    return { kind: 'unavailable', error: { name, message: (error as Error)?.message ?? String(error) } };
  }
}

interface Job {
  id: string;
  client: ClientState;
  request: GenerationRequest;
  stream: boolean;
  abort: AbortController;
}

interface ClientState {
  sink: ClientSink;
  queue: Job[];
  closed: boolean;
}

export interface ClientHandle {
  /** Feed one message received from this client. */
  receive(data: unknown): void;
  /** The client went away: its queued requests are dropped, its running one cancelled. */
  close(): void;
}

/**
 * Work the service does while no client's request waits (the web worker's warm-up, warm-up.ts):
 * requests decoded and thrown away, each stopped between two steps as soon as a client asks. It
 * begins only after a client's first request has been served: a page that loads the model and
 * never asks for a riff (a bandmate who only hovered over the AI panel) spends nothing on it.
 */
export interface IdleWork {
  /** The next request to decode while idle, or null when there is none left. */
  next(): GenerationRequest | null;
  /** How long the last one ran in ms, and whether it finished (else it was stopped or failed). */
  ran(ms: number, finished: boolean): void;
}

export interface ServiceOptions {
  idleWork?: IdleWork;
  /** Idle work starts only after the service has had nothing to do for this long (ms). */
  idleAfterMs?: number;
}

/**
 * A quarter second: long enough that back-to-back requests (a panel asking again, a queue being
 * worked off) never meet idle work, short enough that it starts while a guest reads the first riff.
 */
export const IDLE_AFTER_MS = 250;

const v = INFERENCE_PROTOCOL;

export class InferenceService {
  private readonly state: ServiceState;
  /** Clients in turn order; the next job comes from the first with work, which then goes last. */
  private readonly clients: ClientState[] = [];
  private running: Job | null = null;
  private idleWork: IdleWork | null;
  private readonly idleAfterMs: number;
  /** The idle request being decoded, to stop when a client asks for something. */
  private idleRun: AbortController | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Whether a client's request has run: idle work waits for the first. */
  private served = false;

  constructor(state: ServiceState, options: ServiceOptions = {}) {
    this.state = state;
    this.idleWork = options.idleWork ?? null;
    this.idleAfterMs = options.idleAfterMs ?? IDLE_AFTER_MS;
  }

  /** Registers a client; it is told at once whether the model is ready. */
  connect(sink: ClientSink): ClientHandle {
    const client: ClientState = { sink, queue: [], closed: false };
    this.clients.push(client);
    this.greet(client);
    return {
      receive: (data) => this.receive(client, data),
      close: () => this.disconnect(client),
    };
  }

  /** Stops idle work for good (a host shutting down; tests). Clients' requests are not touched. */
  dispose(): void {
    this.idleWork = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.idleRun?.abort();
  }

  /** Requests waiting or running, over all clients. */
  get pending(): number {
    return this.clients.reduce((n, c) => n + c.queue.length, 0) + (this.running ? 1 : 0);
  }

  private greet(client: ClientState): void {
    const s = this.state;
    if (s.kind === 'ready') this.send(client, { v, type: 'ready', model: s.model, provider: s.provider });
    else this.send(client, { v, type: 'unavailable', error: s.error });
  }

  private send(client: ClientState, message: HostMessage): void {
    if (client.closed) return;
    try {
      client.sink.send(message);
    } catch {
      // A sink that cannot take a message (its port closed) ends the client, not the host.
      this.disconnect(client);
    }
  }

  private receive(client: ClientState, data: unknown): void {
    if (client.closed) return;
    const message = parseClientMessage(data);
    if (isWireError(message)) {
      const id = data && typeof data === 'object' && typeof (data as { id?: unknown }).id === 'string' ? (data as { id: string }).id : null;
      this.send(client, { v, type: 'error', id, error: message });
      return;
    }
    switch (message.type) {
      case 'hello':
        this.greet(client);
        return;
      case 'cancel':
        this.cancel(client, message.id);
        return;
      case 'generate': {
        if (this.state.kind !== 'ready') {
          this.send(client, { v, type: 'error', id: message.id, error: this.state.error });
          return;
        }
        if (this.isKnown(client, message.id)) {
          this.send(client, {
            v,
            type: 'error',
            id: message.id,
            error: { name: 'ProtocolError', message: `request ${message.id} is already queued or running` },
          });
          return;
        }
        const job: Job = {
          id: message.id,
          client,
          request: message.request,
          stream: message.stream ?? false,
          abort: new AbortController(),
        };
        client.queue.push(job);
        this.send(client, { v, type: 'queued', id: job.id, ahead: this.pending - 1 });
        this.pump();
      }
    }
  }

  private isKnown(client: ClientState, id: string): boolean {
    return client.queue.some((j) => j.id === id) || (this.running?.client === client && this.running.id === id);
  }

  private cancel(client: ClientState, id: string): void {
    if (this.running && this.running.client === client && this.running.id === id) {
      this.running.abort.abort();
      return;
    }
    const index = client.queue.findIndex((j) => j.id === id);
    if (index < 0) return; // already finished: nothing to do
    client.queue.splice(index, 1);
    this.send(client, { v, type: 'error', id, error: { name: 'Cancelled', message: `request ${id} was cancelled` } });
  }

  private disconnect(client: ClientState): void {
    if (client.closed) return;
    client.closed = true;
    client.queue.length = 0;
    if (this.running?.client === client) this.running.abort.abort();
    this.clients.splice(this.clients.indexOf(client), 1);
  }

  /** The next job in turn: from the first client with work, which then moves to the back. */
  private nextJob(): Job | undefined {
    const index = this.clients.findIndex((c) => c.queue.length > 0);
    if (index < 0) return undefined;
    const [client] = this.clients.splice(index, 1);
    this.clients.push(client!);
    return client!.queue.shift();
  }

  private pump(): void {
    if (this.state.kind !== 'ready') return;
    if (this.idleRun) {
      // A client's request waits: stop the idle work; it calls pump again once it has stopped.
      if (this.clients.some((c) => c.queue.length > 0)) this.idleRun.abort();
      return;
    }
    if (this.running) return;
    const job = this.nextJob();
    if (!job) {
      this.scheduleIdleWork();
      return;
    }
    this.running = job;
    void this.run(job, this.state.engine).finally(() => {
      this.running = null;
      this.served = true;
      this.pump();
    });
  }

  /** Idle work, once the service has had nothing to do for idleAfterMs. */
  private scheduleIdleWork(): void {
    if (!this.idleWork || !this.served || this.state.kind !== 'ready' || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.running || this.idleRun || this.pending > 0) return;
      this.runIdleWork();
    }, this.idleAfterMs);
  }

  private runIdleWork(): void {
    if (!this.idleWork || this.state.kind !== 'ready') return;
    const request = this.idleWork.next();
    if (!request) {
      this.idleWork = null;
      return;
    }
    const abort = new AbortController();
    this.idleRun = abort;
    const started = performance.now();
    void this.state.engine.generate(request, { signal: abort.signal }).then(
      () => this.idleRunEnded(started, true, true),
      () => this.idleRunEnded(started, false, abort.signal.aborted),
    );
  }

  /** An idle request ended; one that failed on its own ends the idle work (no loop of failures). */
  private idleRunEnded(started: number, finished: boolean, keepGoing: boolean): void {
    this.idleWork?.ran(performance.now() - started, finished);
    if (!keepGoing) this.idleWork = null;
    this.idleRun = null;
    const clientWaits = this.clients.some((c) => c.queue.length > 0);
    if (clientWaits) this.pump();
    else this.runIdleWork();
  }

  private async run(job: Job, engine: Engine): Promise<void> {
    const { client, id } = job;
    this.send(client, { v, type: 'started', id });
    // Notes decoded in one step go out together, once the step's synchronous work is done.
    let batch: StreamedEvent[] = [];
    const flush = (): void => {
      if (batch.length === 0) return;
      const events = batch;
      batch = [];
      this.send(client, { v, type: 'notes', id, events });
    };
    try {
      const result = await engine.generate(job.request, {
        signal: job.abort.signal,
        onNote: job.stream
          ? (event) => {
              if (batch.length === 0) queueMicrotask(flush);
              batch.push(event);
            }
          : undefined,
      });
      flush();
      this.send(client, { v, type: 'done', id, result });
    } catch (error) {
      batch = [];
      this.send(client, { v, type: 'error', id, error: toWireError(error, job.abort.signal.aborted, id) });
    }
  }
}

function toWireError(error: unknown, aborted: boolean, id: string): WireError {
  if (aborted) return { name: 'Cancelled', message: `request ${id} was cancelled` };
  // A grammar refusal means the request asks for more than its bars can hold.
  if (error instanceof RequestError || error instanceof GrammarError) return { name: 'RequestError', message: error.message };
  const e = error as Error;
  return { name: 'EngineError', message: e?.message ?? String(error) };
}
