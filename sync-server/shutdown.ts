/**
 * What the server tells its peers when a signal stops it. SIGTERM is how a service manager
 * (systemd, a container runtime) stops a server for a restart, a deploy or a renewed certificate:
 * peers hear 1012 'server restarting' and reconnect by themselves (the stock y-websocket provider
 * retries every close code outside 4400-4499; the page says "the server is restarting,
 * reconnecting…"). SIGINT is a person pressing Ctrl-C: 1001 'server shutting down'.
 */
import { CLOSE } from './contract.ts';

export interface Farewell {
  code: number;
  reason: string;
}

export function farewellFor(signal: string): Farewell {
  return signal === 'SIGTERM'
    ? { code: CLOSE.serviceRestart, reason: 'server restarting' }
    : { code: CLOSE.goingAway, reason: 'server shutting down' };
}
