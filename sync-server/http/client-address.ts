/**
 * The address a request comes from, for the per-address limits (connection caps, API rate limits,
 * heavy requests, replay pacing). By default the TCP peer's. Behind a reverse proxy every client
 * would share the proxy's address and one noisy client would use up everyone's allowance, so the
 * proxies the operator names (--trusted-proxy) are looked through: the client is the rightmost
 * X-Forwarded-For hop that is not itself a trusted proxy. Only hops appended by trusted proxies
 * can be believed: whatever a client writes at the left of the header is its own claim, so the
 * walk stops at the first hop a trusted proxy did not vouch for. X-Forwarded-For is never read
 * from a peer that is not a trusted proxy.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export type ClientAddressOf = (req: Pick<IncomingMessage, 'headers' | 'socket'>) => string;

/** An IPv4 peer on a dual-stack listener counts as its IPv4 address. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Throws with a clear message when a trusted proxy is not an IP address. */
export function clientAddressResolver(trustedProxies: readonly string[] = []): ClientAddressOf {
  const trusted = new Set<string>();
  for (const proxy of trustedProxies) {
    if (!isIP(proxy.trim())) throw new Error(`a trusted proxy must be an IP address, not "${proxy}"`);
    trusted.add(normalizeAddress(proxy.trim()));
  }
  return (req) => {
    let address = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
    if (!trusted.has(address)) return address;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalizeAddress(hops[i]!);
      // A hop that is no address (a client's junk, "unknown") ends the walk: the proxy's own address stands.
      if (!isIP(hop)) return address;
      address = hop;
      if (!trusted.has(hop)) return hop;
    }
    return address;
  };
}
