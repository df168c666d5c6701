/**
 * A child process of bench:sync cluster-rooms (cluster-rooms.ts) holding some of its rooms: 4
 * stock WebsocketProviders per room, each with its own Y.Doc, each peer dialling the node the
 * driver names for it (so a room's peers are spread over the nodes). Unlike load-worker.ts, a
 * room's first peer connects (and syncs) before the other three dial, so the node it dials opens
 * the room and owns it, as when the first bandmate arrives before the others. The step and close
 * commands, and the driver's handle, are rooms-worker.ts's.
 */
import { testToken } from '../../tests/support/server-process.ts';
import { connectClient } from '../../tests/support/yjs-clients.ts';
import { Jam } from './jam.ts';
import { serveRooms, type OpenCommand, type OpenedRoom } from './rooms-worker.ts';
import { Semaphore, sleep } from './support.ts';

export interface RoomPlan {
  name: string;
  index: number;
  /** ws URL of the node each peer dials; peer 0 connects first. */
  peerUrls: string[];
}

export interface ClusterOpenCommand extends OpenCommand {
  rooms: RoomPlan[];
}

async function open(command: ClusterOpenCommand): Promise<OpenedRoom[]> {
  const semaphore = new Semaphore(command.concurrency);
  return Promise.all(
    command.rooms.map(async ({ name, index, peerUrls }) => {
      const tokens = peerUrls.map((_, i) => testToken(name, 'editor', `${name}-p${i + 1}`));
      const peerOf = new Map(tokens.map((t, i) => [t, i]));
      let first: Promise<unknown> | null = null;
      // The wait for the first peer is outside the semaphore: a waiting peer holds no slot.
      const connect: typeof connectClient = async (_url, room, token, options) => {
        const i = peerOf.get(token)!;
        if (i === 0) {
          const connecting = semaphore.run(() => connectClient(peerUrls[0]!, room, token, options));
          first = connecting;
          return connecting;
        }
        while (!first) await sleep(1);
        await first;
        return semaphore.run(() => connectClient(peerUrls[i]!, room, token, options));
      };
      const jam = await Jam.open(peerUrls[0]!, name, peerUrls.length, (i) => tokens[i]!, undefined, connect);
      return { jam, index };
    }),
  );
}

serveRooms(open);
