/**
 * How the server answers over HTTP: JSON bodies (errors are `{ error }`, contract.ts
 * ErrorResponse) and an HttpError that route code throws to answer with a status and a reason.
 */
import type { ServerResponse } from 'node:http';

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  /** Extra response headers (e.g. Retry-After on a 429). */
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/**
 * Headers on every response the server sends: a token must never leave in a Referer (the page's
 * own URL carries one), whatever the route.
 */
export const COMMON_HEADERS = { 'Referrer-Policy': 'no-referrer' } as const;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}

export function sendError(res: ServerResponse, err: HttpError): true {
  return sendJson(res, err.status, { error: err.message }, err.headers);
}

export function statusText(status: number): string {
  return (
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      421: 'Misdirected Request',
      429: 'Too Many Requests',
      500: 'Internal Server Error',
      503: 'Service Unavailable',
    }[status] ?? 'Error'
  );
}
