/**
 * The honest peers of bench:hostile run in a child process of their own (honest-peers.ts), so the
 * attacker's work in the bench process does not delay their event loop (both still share the
 * machine's cores). This is the bench's handle on that process, and the messages the two
 * exchange over its IPC channel. Times cross the boundary as wall-clock ms
 * (performance.timeOrigin + performance.now()), which both processes read alike.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface HonestSetup {
  wsUrl: string;
  room: string;
  peers: number;
  /** Edits per second over all peers, made round-robin. */
  editsPerSecond: number;
}

export interface PresenceSeen {
  /** Times a peer saw another honest peer's presence (or its own) changed to a state that peer did not set. */
  overwrites: number;
  /** Times a peer saw another honest peer's presence removed while both were connected. */
  removals: number;
  /** Most presence states one peer held at once (its own included). */
  maxStates: number;
}

export interface HonestReport {
  /** Edits made in the window, and deliveries (edit × other peer) expected. */
  edits: number;
  deliveries: number;
  /** Deliveries that had not arrived when the report was made (window end + settle time). */
  lost: number;
  /** Propagation (ms) of the window's deliveries, lost ones counted as infinitely late (then null). */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Connections the server closed (document and jam channel), and refused reconnects. */
  document: object;
  jam: object;
  disconnects: number;
  presence: PresenceSeen;
  /** Every peer's document holds the same song and state vector. */
  docsEqual: boolean;
  /** The highest clock of every Yjs client any honest document holds: the log must reach each. */
  stateVector: [number, number][];
  /** The honest process's event loop delay p99 in the window (ms): how busy its own thread was. */
  loopDelayP99Ms: number;
  names: string[];
}

export type ToHonest =
  | { type: 'start'; setup: HonestSetup }
  | { type: 'mark'; what: 'window-start' | 'window-end' }
  | { type: 'report'; from: number; to: number; settleMs: number }
  | { type: 'stop' };

export type FromHonest = { type: 'ready'; setupMs: number } | { type: 'report'; report: HonestReport } | { type: 'error'; message: string };

const ENTRY = fileURLToPath(new URL('./honest-peers.ts', import.meta.url));

export class HonestPeers {
  private readonly child: ChildProcess;
  private output = '';
  private readonly waiting: ((message: FromHonest) => void)[] = [];
  private readonly exited: Promise<void>;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout!.on('data', (d) => this.keep(d));
    child.stderr!.on('data', (d) => this.keep(d));
    child.on('message', (message: FromHonest) => this.waiting.shift()?.(message));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      const message = `the honest peers' process exited (${code ?? signal}):\n${this.output}`;
      for (const resolve of this.waiting.splice(0)) resolve({ type: 'error', message });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts the process and waits until its peers are connected, set up and editing. */
  static async start(setup: HonestSetup): Promise<{ peers: HonestPeers; setupMs: number }> {
    const child = fork(ENTRY, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const peers = new HonestPeers(child);
    const ready = await peers.ask({ type: 'start', setup });
    if (ready.type !== 'ready') {
      await peers.stop();
      throw new Error(ready.type === 'error' ? ready.message : `unexpected ${ready.type}`);
    }
    return { peers, setupMs: ready.setupMs };
  }

  /** The attack window opens or closes (the process measures its own event loop in between). */
  mark(what: 'window-start' | 'window-end'): void {
    this.child.send({ type: 'mark', what } satisfies ToHonest);
  }

  /** The peers' figures for the edits made in [from, to) (wall-clock ms). */
  async report(from: number, to: number, settleMs: number): Promise<HonestReport> {
    const answer = await this.ask({ type: 'report', from, to, settleMs });
    if (answer.type !== 'report') throw new Error(answer.type === 'error' ? answer.message : `unexpected ${answer.type}`);
    return answer.report;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.connected)
      this.child.send({ type: 'stop' } satisfies ToHonest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  private ask(message: ToHonest): Promise<FromHonest> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send(message);
    });
  }

  private keep(data: Buffer): void {
    this.output = (this.output + data.toString()).slice(-4000);
  }
}
