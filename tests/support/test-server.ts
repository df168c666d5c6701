/**
 * The sync server started inside the test process (real sockets on 127.0.0.1), for tests that
 * need options the CLI does not expose (snapshot policy, room limits, message size).
 */
import { startServer, type RunningServer, type ServerOptions } from '../../sync-server/server.ts';
import { TEST_SECRET, tempDataDir } from './server-process.ts';

export interface TestServer {
  readonly server: RunningServer;
  readonly dataDir: string;
  readonly url: string;
  readonly wsUrl: string;
  close(): Promise<void>;
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const server = await startServer({ secret: TEST_SECRET, ...options, dataDir });
  return {
    server,
    dataDir,
    url: server.url,
    wsUrl: `ws://127.0.0.1:${server.port}`,
    close: () => server.close(),
  };
}
