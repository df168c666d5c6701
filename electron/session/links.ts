/**
 * Hosting a jam: this machine's LAN address and the invite link a bandmate opens. Reading a link
 * pasted into "Join a jam" is the page's own code (sync-server/client/room-link.ts parseJoinLink),
 * so the window and a browser tab read links alike. Plain Node (main process): no Electron import.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { inviteLink } from '../../sync-server/client/room-link.ts';

/**
 * This machine's address on the LAN: the first non-internal IPv4 address, preferring a routable
 * one over a link-local 169.254.x.x; null when there is none (no network).
 */
export function lanAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | null {
  const candidates: string[] = [];
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      const family = a.family as string | number; // Node 18.0-18.3 reported 4 instead of 'IPv4'
      if ((family === 'IPv4' || family === 4) && !a.internal) candidates.push(a.address);
    }
  }
  return candidates.find((a) => !a.startsWith('169.254.')) ?? candidates[0] ?? null;
}

/** The invite link: http://<address>:<port>/?room=<room>#token=<token> (the token in the fragment). */
export function inviteLinkFor(address: string, port: number, room: string, token: string): string {
  return inviteLink(`http://${address.includes(':') ? `[${address}]` : address}:${port}/`, room, token);
}
