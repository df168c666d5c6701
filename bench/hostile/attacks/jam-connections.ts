/**
 * 2,000 jam channel connections from one address (issue 13, item 4): viewer tokens, half of the
 * connections sharing one token (one person's link opened 1,000 times) and half with a token each
 * (1,000 people behind one address). They are opened as fast as the server accepts them (64
 * attempts in flight), held, and every one the server refuses or closes is tried again (backing
 * off from 100 ms to 2 s). Whatever the server sends them is read and dropped.
 */
import { testToken } from '../../../tests/support/server-process.ts';
import { jamUrl } from '../../../tests/support/jam-clients.ts';
import { Semaphore } from '../../sync/support.ts';
import { AttackSocket, AttackTally } from '../attack-socket.ts';
import type { Attack, AttackTarget, RunningAttack } from '../attack.ts';

const CONNECTIONS = 2000;
const IN_FLIGHT = 64;

export const jamConnectionsAttack: Attack = {
  name: 'jam-connections',
  summary: `${CONNECTIONS} jam channel connections from 127.0.0.1 with viewer tokens (half on one token, half one token each), held; refused or closed ones retried`,
  seconds: 30,
  async start(target: AttackTarget): Promise<RunningAttack> {
    return startJamConnections(target);
  },
};

function startJamConnections({ server, room }: AttackTarget): RunningAttack {
  const shared = testToken(room, 'viewer', 'one-link');
  const oneToken = new AttackTally();
  const manyTokens = new AttackTally();
  const gate = new Semaphore(IN_FLIGHT);
  const started = performance.now();
  let allOpenAfterMs: number | null = null;
  let maxHeld = 0;
  const sockets: AttackSocket[] = [];
  const onOpen = () => {
    const held = oneToken.open + manyTokens.open;
    maxHeld = Math.max(maxHeld, held);
    if (allOpenAfterMs === null && held >= CONNECTIONS) allOpenAfterMs = Math.round(performance.now() - started);
  };
  for (let i = 0; i < CONNECTIONS; i++) {
    const own = i % 2 === 1;
    const token = own ? testToken(room, 'viewer', `crowd-${i}`) : shared;
    sockets.push(
      new AttackSocket({
        url: jamUrl(server.wsUrl, room, token),
        tally: own ? manyTokens : oneToken,
        gate: (attempt) => gate.run(attempt),
        onOpen,
      }),
    );
  }
  return {
    async stop() {
      const held = oneToken.open + manyTokens.open;
      for (const s of sockets) s.stop();
      return {
        connections: CONNECTIONS,
        attemptsInFlight: IN_FLIGHT,
        heldAtEnd: held,
        maxHeld,
        allOpenAfterMs,
        oneToken: oneToken.toJSON(),
        manyTokens: manyTokens.toJSON(),
      };
    },
  };
}
