/**
 * Opens the room's jam channel beside its y-websocket connection: ws://host:port/<room>/jam, the
 * token as websocket subprotocols (never in the URL), renewed in place as the session renews it.
 */
import { jamPath } from '../../core/jam/contract.ts';
import { JamClient, type JamSocketConstructor } from '../../core/jam/jam-client.ts';
import { tokenProtocols } from '../../sync-server/contract.ts';
import { audioTransportOf } from '../audio/contract.ts';
import type { Transport } from '../audio/transport.ts';
import type { RoomLink } from '../../sync-server/client/room-link.ts';
import type { RoomSession } from '../state/session.ts';
import { attachJamProbes } from './jam-probes.ts';
import { JamSession, type JamClientLike } from './jam-session.ts';

export function jamUrl(link: Pick<RoomLink, 'serverUrl' | 'room'>): string {
  return `${link.serverUrl}${jamPath(link.room)}`;
}

/** The jam for a session whose transport is the audio engine; null for a transport without one (tests' null transport). */
export function connectJam(session: RoomSession, transport: Transport): JamSession | null {
  const engine = audioTransportOf(transport);
  if (!engine) return null;
  const client = new JamClient({
    url: jamUrl(session.link),
    auth: { token: session.token.token, protocols: tokenProtocols },
    WebSocket: globalThis.WebSocket as unknown as JamSocketConstructor,
  });
  const jam = new JamSession(session, engine, client as unknown as JamClientLike);
  // For the dev console, tests and bench:jam: the session (its view, clock and client) and what
  // the probes record of it (downbeats, clicks, retimes, live notes, the mix heard).
  const g = globalThis as { riffroomJam?: unknown; riffroomJamProbes?: unknown };
  g.riffroomJam = jam;
  g.riffroomJamProbes = attachJamProbes(jam);
  return jam;
}
