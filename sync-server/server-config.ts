/**
 * What `riffroom-server init` keeps about a hosted server besides its secret: the public URL
 * people reach it at (https://jam.example.org). It is what the links handed out by
 * POST /api/rooms start with, and the name the server answers to (http/host-check.ts). Kept in
 * <data>/config.json, which holds nothing secret: `{ "publicUrl": "https://jam.example.org" }`.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { hostNameOf } from './http/host-check.ts';
import { readOptionalFile } from './optional-file.ts';

export const CONFIG_FILE = 'config.json';

export interface ServerConfig {
  /** An origin: http(s)://host[:port], no trailing slash, path, query or fragment. */
  publicUrl: string;
}

/** A public URL or config file that cannot be used; the message says what is wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface PublicUrl {
  /** The origin (https://jam.example.org, no trailing slash). */
  url: string;
  /** The host name the server must answer to (lowercase, no port). */
  hostName: string;
  /**
   * The name to add to the server's allowed hosts (--allowed-host, http/host-check.ts); null for
   * an IP literal or localhost, which it always answers to.
   */
  allowedHost: string | null;
  /** Set for an http:// URL: what plain http means. */
  warning: string | null;
}

/**
 * Checks a public URL: an absolute http(s) URL of the server's root (nothing after the host but
 * '/'), no user or password. https is expected; http is accepted with a warning, for a server
 * on a LAN (tokens cross the network in clear text then).
 */
export function parsePublicUrl(text: string): PublicUrl {
  const example = 'give the address people open, e.g. https://jam.example.org';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigError(`not a URL: "${text.slice(0, 200)}" (${example})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError(`the public URL must start with https:// (${example}), not ${url.protocol}`);
  if (url.username || url.password) throw new ConfigError('the public URL cannot hold a user name or password');
  // The server serves the page, its API and its websockets at the root: a path would be lost.
  if (url.pathname !== '/')
    throw new ConfigError(`the public URL must be the server's root, without a path (${url.pathname}): Riffroom is served at /`);
  if (url.search || text.includes('?')) throw new ConfigError('the public URL cannot have a query (?…)');
  if (url.hash || text.includes('#')) throw new ConfigError('the public URL cannot have a fragment (#…)');
  const hostName = hostNameOf(url.host);
  if (!hostName) throw new ConfigError(`the public URL's host is not a plain host name: ${url.host}`);
  const warning =
    url.protocol === 'http:'
      ? `${url.origin} is plain http: tokens and songs cross the network unencrypted. Use it on a LAN only; on the internet use https (a TLS proxy in front)`
      : null;
  const allowedHost = isIP(hostName) !== 0 || hostName === 'localhost' ? null : hostName;
  return { url: url.origin, hostName, allowedHost, warning };
}

/** The data dir's config, or null when there is none; ConfigError for a file that cannot be used. */
export function readServerConfig(dataDir: string): ServerConfig | null {
  const path = join(dataDir, CONFIG_FILE);
  const text = readOptionalFile(path);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`${path} is not JSON: fix it, or run riffroom-server init --data ${dataDir} --public-url <url> again`);
  }
  const publicUrl = (parsed as { publicUrl?: unknown } | null)?.publicUrl;
  if (typeof publicUrl !== 'string') throw new ConfigError(`${path} has no "publicUrl" string`);
  try {
    return { publicUrl: parsePublicUrl(publicUrl).url };
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
}

/** The data dir's public URL, checked; null when init has not set one. ConfigError for a bad config file. */
export function configuredPublicUrl(dataDir: string): PublicUrl | null {
  const config = readServerConfig(dataDir);
  return config ? parsePublicUrl(config.publicUrl) : null;
}

/** Writes the config whole or not at all (a temporary file, flushed, renamed into place). */
export function writeServerConfig(dataDir: string, config: ServerConfig): void {
  const path = join(dataDir, CONFIG_FILE);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(config, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
