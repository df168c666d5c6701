/**
 * Where a websocket upgrade carries its token. Browsers cannot set headers on a websocket, and a
 * token in the URL ends up in logs, so the client offers it as a subprotocol: ['riffroom',
 * 'riffroom-token.<token>'] (contract.ts tokenProtocols). The server selects 'riffroom' and never
 * echoes the token. Stock y-websocket clients that can only add URL parameters send ?token=.
 */
import type { IncomingMessage } from 'node:http';
import { TOKEN_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../contract.ts';

export type UpgradeToken = { ok: true; token: string | null } | { ok: false; error: string };

export function upgradeToken(req: IncomingMessage, url: URL): UpgradeToken {
  const header = req.headers['sec-websocket-protocol'];
  const offered = typeof header === 'string' ? header.split(',').map((p) => p.trim()).filter(Boolean) : [];
  const tokens = offered.filter((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (tokens.length > 1) return { ok: false, error: 'offer one token subprotocol, not several' };
  if (tokens.length === 1) {
    // The server can only select 'riffroom' (it never echoes a token), and a browser fails a
    // connection whose offered subprotocols got no answer.
    if (!offered.includes(TOKEN_PROTOCOL)) return { ok: false, error: `offer the '${TOKEN_PROTOCOL}' subprotocol beside the token` };
    return { ok: true, token: tokens[0]!.slice(TOKEN_PROTOCOL_PREFIX.length) || null };
  }
  return { ok: true, token: url.searchParams.get('token') || null };
}

/** ws's handleProtocols: select 'riffroom' when offered, nothing else. */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(TOKEN_PROTOCOL) ? TOKEN_PROTOCOL : false;
}
