/**
 * A child process of the load benchmark (load.ts) holding some of its rooms: 4 stock
 * WebsocketProviders per room, each with its own Y.Doc, all dialling one server. The step and
 * close commands, and the driver's handle, are rooms-worker.ts's.
 */
import { testToken } from '../../tests/support/server-process.ts';
import { Jam } from './jam.ts';
import { serveRooms, type OpenCommand, type OpenedRoom } from './rooms-worker.ts';
import { Semaphore } from './support.ts';

export interface LoadOpenCommand extends OpenCommand {
  wsUrl: string;
  rooms: { name: string; index: number }[];
  peersPerRoom: number;
}

async function open(command: LoadOpenCommand): Promise<OpenedRoom[]> {
  const semaphore = new Semaphore(command.concurrency);
  const throttle = <T>(task: () => Promise<T>) => semaphore.run(task);
  return Promise.all(
    command.rooms.map(async ({ name, index }) => ({
      jam: await Jam.open(command.wsUrl, name, command.peersPerRoom, (i) => testToken(name, 'editor', `${name}-p${i + 1}`), throttle),
      index,
    })),
  );
}

serveRooms(open);
