/**
 * Jam clients for tests and bench:jam: the real JamClient over the `ws` package, each with a
 * local clock skewed from the server's by a known offset and drift, so the truth is known (the
 * server runs in the same process: its clock is performance.timeOrigin + performance.now()).
 */
import WebSocket from 'ws';
import { JamClient, type JamClientOptions, type JamSocketConstructor } from '../../core/jam/jam-client.ts';
import { jamPath } from '../../core/jam/contract.ts';
import { serverClock } from '../../sync-server/jam/jam-room.ts';
import { waitFor } from './yjs-clients.ts';

/** A local clock reading serverClock + offsetMs + drift·(elapsed); its offset can jump (a clock step). */
export class SkewedClock {
  offsetMs: number;
  readonly driftPpm: number;
  private readonly start = serverClock();

  constructor(offsetMs: number, driftPpm = 0) {
    this.offsetMs = offsetMs;
    this.driftPpm = driftPpm;
  }

  /** The local reading at server time `server`. */
  localAt(server: number): number {
    return server + this.offsetMs + (this.driftPpm / 1e6) * (server - this.start);
  }

  /** The true server time at which this clock reads `local`. */
  serverAt(local: number): number {
    const r = this.driftPpm / 1e6;
    return (local - this.offsetMs + r * this.start) / (1 + r);
  }

  readonly now = (): number => this.localAt(serverClock());
}

export interface TestJamClient {
  client: JamClient;
  clock: SkewedClock;
  /** The estimate's error of the server's clock right now (ms). */
  error(): number;
  /** The true server time at which this peer would play `serverMs` (its scheduled local time, mapped back). */
  truePlayTime(serverMs: number): number;
}

export function jamUrl(wsUrl: string, room: string, token: string): string {
  return `${wsUrl}${jamPath(room)}?token=${encodeURIComponent(token)}`;
}

export function openJam(
  wsUrl: string,
  room: string,
  token: string,
  clock = new SkewedClock(0),
  options: Partial<JamClientOptions> = {},
): TestJamClient {
  const client = new JamClient({
    url: jamUrl(wsUrl, room, token),
    WebSocket: WebSocket as unknown as JamSocketConstructor,
    now: clock.now,
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
    ...options,
  });
  return {
    client,
    clock,
    error: () => {
      const truth = serverClock();
      return client.clock.serverNow(clock.localAt(truth)) - truth;
    },
    truePlayTime: (serverMs) => clock.serverAt(client.localAt(serverMs)),
  };
}

export async function waitReady(clients: TestJamClient[], timeoutMs = 10_000): Promise<void> {
  await waitFor(() => clients.every((c) => c.client.status === 'ready'), timeoutMs, 'jam clients ready');
}

export function percentileOf(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
