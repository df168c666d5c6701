/**
 * Who may read /metrics (room names, connection counts and traffic are not for everyone): with a
 * metrics token configured (ServerOptions.metricsToken, env RIFFROOM_METRICS_TOKEN), whoever
 * sends `Authorization: Bearer <that token>`; without one, only this machine, over loopback, and
 * not through a reverse proxy (which connects from loopback on behalf of anyone: it says so with
 * X-Forwarded-For or Forwarded).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type MetricsAccess = { ok: true } | { ok: false; status: 401 | 403; error: string };

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export function metricsAccess(remoteAddress: string | undefined, headers: IncomingHttpHeaders, metricsToken: string | null): MetricsAccess {
  if (metricsToken) {
    const header = headers.authorization;
    const given = header?.startsWith('Bearer ') ? Buffer.from(header.slice(7).trim()) : null;
    const expected = Buffer.from(metricsToken);
    if (given && given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
    return { ok: false, status: 401, error: 'metrics need Authorization: Bearer <the metrics token>' };
  }
  if (!isLoopback(remoteAddress) || headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined) {
    return {
      ok: false,
      status: 403,
      error: 'metrics are served to this machine only; set RIFFROOM_METRICS_TOKEN to read them from elsewhere',
    };
  }
  return { ok: true };
}
