/**
 * DNS rebinding: a page on evil.example can make its own name resolve to a Riffroom server on
 * the LAN (or this machine) and then talk to it as "same origin". The browser still sends
 * `Host: evil.example`, so every request and websocket upgrade whose Host is not an IP literal,
 * `localhost`, or a name this server was told it has (--allowed-host) is refused with 421.
 */
import { isIP } from 'node:net';

/** The host name in a Host header, lowercased, without port, brackets or a trailing dot; null when unreadable. */
export function hostNameOf(header: string): string | null {
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(host.slice(end + 1))) return null;
    const ip = host.slice(1, end);
    return isIP(ip) === 6 ? ip : null;
  }
  const match = /^([a-z0-9.-]+?)\.?(?::\d{1,5})?$/.exec(host);
  return match ? match[1]! : null;
}

/** Normalises configured names (--allowed-host); throws on one that is not a plain host name. */
export function allowedHostSet(names: readonly string[] = []): ReadonlySet<string> {
  const set = new Set<string>();
  for (const name of names) {
    const normal = hostNameOf(name);
    if (!normal || normal !== name.trim().toLowerCase().replace(/\.$/, ''))
      throw new Error(`not a host name: ${name} (give the name alone, without a scheme or port)`);
    set.add(normal);
  }
  return set;
}

/** Why a request with this Host header is refused, or null when it may go on. */
export function hostProblem(header: string | undefined, allowed: ReadonlySet<string>): string | null {
  if (!header) return 'a Host header is required';
  const name = hostNameOf(header);
  if (name === null) return 'the Host header is not a host name';
  if (isIP(name) !== 0 || name === 'localhost' || allowed.has(name)) return null;
  return `this server does not answer to the name "${name}" (its operator can allow it with --allowed-host ${name})`;
}
