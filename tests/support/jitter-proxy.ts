/**
 * A TCP proxy on 127.0.0.1 that delays what passes through it, for clock-sync tests and
 * bench:jam: each chunk read (a websocket frame, as ws writes small frames one by one with
 * Nagle off) waits a random delay drawn per direction, in order (a late chunk holds back the
 * ones behind it, as TCP would).
 */
import { createServer, connect, type Socket, type Server } from 'node:net';
import { seededRandom } from '../../core/random.ts';

/** Draws one delay (ms). */
export type DelaySampler = () => number;

export interface JitterProxy {
  readonly port: number;
  /** ws://127.0.0.1:<port> */
  readonly wsUrl: string;
  /** Chunks forwarded per direction. */
  readonly stats: { up: number; down: number };
  /** Cuts every connection through the proxy (both sides see the socket close). */
  dropAll(): void;
  close(): Promise<void>;
}

/**
 * A delay of `center` ± `spread` ms (uniform, never negative), plus `spikeMs` with probability
 * `spikeProbability`.
 */
export function jitter(seed: number, center: number, spread: number, spikeProbability = 0, spikeMs = 0): DelaySampler {
  const random = seededRandom(seed);
  return () => Math.max(0, center - spread + 2 * spread * random()) + (random() < spikeProbability ? spikeMs : 0);
}

export async function startJitterProxy(targetPort: number, delays: { up: DelaySampler; down: DelaySampler }): Promise<JitterProxy> {
  const sockets = new Set<Socket>();
  const stats = { up: 0, down: 0 };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    pipeDelayed(client, upstream, delays.up, () => stats.up++);
    pipeDelayed(upstream, client, delays.down, () => stats.down++);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}`,
    stats,
    dropAll() {
      for (const socket of [...sockets]) socket.destroy();
      sockets.clear();
    },
    async close() {
      for (const socket of [...sockets]) socket.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function pipeDelayed(from: Socket, to: Socket, delay: DelaySampler, count: () => void): void {
  let lastAt = 0;
  from.on('data', (chunk: Buffer) => {
    const now = performance.now();
    const at = Math.max(lastAt, now + delay());
    lastAt = at;
    setTimeout(() => {
      if (!to.destroyed) {
        to.write(chunk);
        count();
      }
    }, at - now);
  });
}
