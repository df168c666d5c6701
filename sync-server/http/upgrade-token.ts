/**
 * Where a websocket upgrade carries its token. Browsers cannot set headers on a websocket, and a
 * token in the URL ends up in logs, so the client offers it as a subprotocol: ['riffroom',
 * 'riffroom-token.<token>'] (contract.ts tokenProtocols). The server selects 'riffroom' and never
 * echoes the token. The stock y-websocket WebsocketProvider does this with its `protocols` option.
 *
 * ?token=<t> in the URL is still accepted by default, for clients that can only shape a URL
 * (tools, clients in other languages, the tests' raw sockets and the benchmarks' attackers): over
 * wss the URL is encrypted on the wire, but a reverse proxy's access log keeps it. Nothing Riffroom
 * ships sends it. A server started with `--refuse-query-token` (queryTokens: false) refuses it, so
 * a hosted server can be sure no token is in any URL its proxy logs.
 */
import type { IncomingMessage } from 'node:http';
import { TOKEN_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../contract.ts';

export type UpgradeToken = { ok: true; token: string | null } | { ok: false; error: string };

export const QUERY_TOKEN_REFUSED = `this server takes the token only as websocket subprotocols ('${TOKEN_PROTOCOL}', '${TOKEN_PROTOCOL_PREFIX}<token>'), never in the URL, where logs keep it`;

export function upgradeToken(req: IncomingMessage, url: URL, queryTokens = true): UpgradeToken {
  const header = req.headers['sec-websocket-protocol'];
  const offered =
    typeof header === 'string'
      ? header
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : [];
  const tokens = offered.filter((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (tokens.length > 1) return { ok: false, error: 'offer one token subprotocol, not several' };
  if (tokens.length === 1) {
    // The server can only select 'riffroom' (it never echoes a token), and a browser fails a
    // connection whose offered subprotocols got no answer.
    if (!offered.includes(TOKEN_PROTOCOL)) return { ok: false, error: `offer the '${TOKEN_PROTOCOL}' subprotocol beside the token` };
    return { ok: true, token: tokens[0]!.slice(TOKEN_PROTOCOL_PREFIX.length) || null };
  }
  if (url.searchParams.has('token') && !queryTokens) return { ok: false, error: QUERY_TOKEN_REFUSED };
  return { ok: true, token: url.searchParams.get('token') || null };
}

/** ws's handleProtocols: select 'riffroom' when offered, nothing else. */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(TOKEN_PROTOCOL) ? TOKEN_PROTOCOL : false;
}
