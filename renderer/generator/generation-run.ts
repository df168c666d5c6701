/**
 * One generation at a time, as the panel shows it: starting the host, notes streaming into a
 * preview (one state update per frame however fast they come), progress over the bars being
 * written, the result, a cancel that settles at once, and errors in words. While it runs, the
 * bandmates see "generating bass…" beside this user's name.
 *
 * No React and no DOM: the panel reads it with useSyncExternalStore; tests drive it with a fake
 * client.
 */
import type { NoteInput } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import type { GenerateOptions, HostInfo } from '../../inference/client.ts';
import type { GenerationRequest, GenerationResult, StreamedEvent, TokenChord } from '../../inference/contract.ts';
import type { FrameScheduler } from '../../core/song/song-store.ts';
import type { PlannedGeneration } from './build-request.ts';
import { describeError } from './errors.ts';

/** What the runner needs of an InferenceClient (inference/client.ts). */
export interface GenerationClient {
  generate(request: GenerationRequest, options?: GenerateOptions): Promise<GenerationResult>;
  ready(): Promise<HostInfo>;
  readonly host: HostInfo | null;
}

export interface RunnerDeps {
  /** The host's client, started on first use (InferenceSource.client). */
  client(): GenerationClient;
  /** Drops a host that can serve no more (InferenceSource.dispose): the next try starts a fresh one. */
  resetHost(): void;
  /** Presence: what this user is doing, null when done (state/presence.ts setActivity). */
  setActivity(activity: string | null): void;
  schedule: FrameScheduler;
  now(): number;
}

export type RunStatus = 'idle' | 'starting' | 'running' | 'done' | 'cancelled' | 'failed';

export interface StreamedPart {
  notes: NoteInput[];
  chords: TokenChord[];
}

export interface RunState {
  status: RunStatus;
  plan: PlannedGeneration | null;
  /** Notes (chords) per variation as they were decoded, result ticks. */
  streamed: StreamedPart[];
  streamedCount: number;
  /** 0..1 over the bars being written. */
  progress: number;
  result: GenerationResult | null;
  error: string | null;
  /** Milliseconds from start() to the first streamed note, and to the result. */
  firstNoteMs: number | null;
  totalMs: number | null;
  /** The host, once it said it is ready. */
  host: HostInfo | null;
  /** Set while no host is up yet (the first request loads the model). */
  hostStarting: boolean;
}

const IDLE: RunState = {
  status: 'idle',
  plan: null,
  streamed: [],
  streamedCount: 0,
  progress: 0,
  result: null,
  error: null,
  firstNoteMs: null,
  totalMs: null,
  host: null,
  hostStarting: false,
};

export const isBusy = (s: RunState): boolean => s.status === 'starting' || s.status === 'running';

export class GenerationRunner {
  private state: RunState = IDLE;
  private readonly listeners = new Set<() => void>();
  private readonly deps: RunnerDeps;
  private controller: AbortController | null = null;
  private run = 0;
  private pending: { streamed: StreamedPart[]; count: number; maxTick: number[] } | null = null;
  private cancelFrame: (() => void) | null = null;
  /** The client last asked for: only its own failure may drop the host (a newer one may be starting). */
  private client: GenerationClient | null = null;
  private warmedUp = false;

  constructor(deps: RunnerDeps) {
    this.deps = deps;
  }

  readonly getState = (): RunState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Starts the host without asking anything, so the first request need not wait for the model.
   * Once per panel: a host that failed to start is started again by a request, not by the pointer.
   */
  warmUp(): void {
    if (this.warmedUp || this.state.host || this.state.hostStarting) return;
    this.warmedUp = true;
    const client = this.clientNow();
    if (client.host) return this.set({ host: client.host });
    this.watchHost(client, this.run);
  }

  /** Runs `plan`; a run still going is cancelled first. Resolves when this run settles (never rejects). */
  async start(plan: PlannedGeneration, activity: string): Promise<RunState> {
    this.cancel();
    const run = ++this.run;
    const controller = new AbortController();
    this.controller = controller;
    const started = this.deps.now();
    const variations = plan.request.variations;
    this.pending = {
      streamed: Array.from({ length: variations }, () => ({ notes: [], chords: [] })),
      count: 0,
      maxTick: Array.from({ length: variations }, () => -1),
    };
    let client: GenerationClient;
    try {
      client = this.clientNow();
    } catch (error) {
      // The host could not even be started (a browser that refuses workers).
      this.controller = null;
      this.pending = null;
      this.set({ ...IDLE, status: 'failed', plan, error: describeError(error).message });
      return this.state;
    }
    this.set({
      ...IDLE,
      status: client.host ? 'running' : 'starting',
      plan,
      host: client.host,
      hostStarting: !client.host,
      streamed: this.pending.streamed.map(() => ({ notes: [], chords: [] })),
    });
    this.deps.setActivity(activity);
    if (!client.host) this.watchHost(client, run);

    const barTicks = ticksPerBar(plan.request.meter);
    const newFrom = plan.newBars.from * barTicks;
    const newTicks = Math.max(1, (plan.newBars.to - plan.newBars.from) * barTicks);
    let firstNoteMs: number | null = null;
    const onNote = (event: StreamedEvent): void => {
      if (run !== this.run || !this.pending) return;
      firstNoteMs ??= this.deps.now() - started;
      const part = this.pending.streamed[event.variation];
      if (!part) return;
      if ('note' in event) part.notes.push(event.note);
      else part.chords.push(event.chord);
      const tick = 'note' in event ? event.note.tick : event.chord.tick;
      this.pending.maxTick[event.variation] = Math.max(this.pending.maxTick[event.variation]!, tick);
      this.pending.count++;
      this.cancelFrame ??= this.deps.schedule(() => {
        this.cancelFrame = null;
        if (run !== this.run || !this.pending) return;
        const ahead = this.pending.maxTick.map((t) => (t < 0 ? 0 : Math.min(1, (t - newFrom) / newTicks)));
        this.set({
          status: 'running',
          hostStarting: false,
          streamed: this.pending.streamed.map((p) => ({ notes: p.notes.slice(), chords: p.chords.slice() })),
          streamedCount: this.pending.count,
          progress: ahead.reduce((s, p) => s + Math.max(0, p), 0) / ahead.length,
          firstNoteMs,
        });
      });
    };

    try {
      const result = await client.generate(plan.request, {
        signal: controller.signal,
        onNote,
        onStarted: () => {
          if (run === this.run && this.state.status === 'starting') this.set({ status: 'running', hostStarting: false });
        },
      });
      if (run !== this.run) return this.state;
      this.flushPending();
      this.set({
        status: 'done',
        result,
        progress: 1,
        firstNoteMs,
        totalMs: this.deps.now() - started,
        host: client.host ?? this.state.host,
        hostStarting: false,
      });
    } catch (error) {
      if (run !== this.run) return this.state;
      this.flushPending();
      if ((error as Error)?.name === 'Cancelled') {
        this.set({ status: 'cancelled', hostStarting: false });
      } else {
        const described = describeError(error);
        // A host that never became ready (its model failed to load, it crashed while starting)
        // serves nothing more: the next try starts a fresh one.
        if (described.hostGone || !client.host) this.dropHost(client);
        this.set({ status: 'failed', error: described.message, hostStarting: false, host: described.hostGone ? null : client.host });
      }
    } finally {
      if (run === this.run) {
        this.controller = null;
        this.pending = null;
        this.deps.setActivity(null);
      }
    }
    return this.state;
  }

  /** Stops the running generation at once (the host stops before its next step). */
  cancel(): void {
    if (!this.controller) return;
    const controller = this.controller;
    this.controller = null;
    this.flushFrame();
    // Settle the state before the abort's rejection arrives, so the panel is usable at once.
    this.run++;
    this.pending = null;
    this.set({ status: 'cancelled', hostStarting: false });
    this.deps.setActivity(null);
    controller.abort();
  }

  /** Forgets the result and the preview (after a keep, or when the user discards them). */
  discard(): void {
    if (isBusy(this.state)) this.cancel();
    this.set({ ...IDLE, host: this.state.host });
  }

  /** Cancels anything running and clears the activity; the panel is going away. */
  dispose(): void {
    this.cancel();
    this.flushFrame();
  }

  private clientNow(): GenerationClient {
    this.client = this.deps.client();
    return this.client;
  }

  private dropHost(client: GenerationClient): void {
    if (this.client !== client) return;
    this.client = null;
    this.deps.resetHost();
  }

  private watchHost(client: GenerationClient, run: number): void {
    client.ready().then(
      (host) => {
        if (this.client !== client) return;
        this.set({
          host,
          hostStarting: false,
          ...(run === this.run && this.state.status === 'starting' ? { status: 'running' as const } : {}),
        });
      },
      // A running generation reports the failure itself; after a warm-up the next try starts afresh.
      () => {
        if (this.client !== client) return;
        this.dropHost(client);
        this.set({ hostStarting: false, host: null });
      },
    );
    if (!client.host && this.state.status === 'idle') this.set({ hostStarting: true });
  }

  private flushFrame(): void {
    this.cancelFrame?.();
    this.cancelFrame = null;
  }

  /** The notes that arrived since the last frame, into the state now (the run is settling). */
  private flushPending(): void {
    this.flushFrame();
    if (!this.pending) return;
    this.set({
      streamed: this.pending.streamed.map((p) => ({ notes: p.notes.slice(), chords: p.chords.slice() })),
      streamedCount: this.pending.count,
    });
  }

  private set(patch: Partial<RunState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener();
  }
}
