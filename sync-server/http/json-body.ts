/**
 * Reading a JSON request body: at most LIMITS.http.maxBodyBytes, and it must be a JSON object
 * (`null`, arrays and numbers are 400, as is text that is not JSON).
 */
import type { IncomingMessage } from 'node:http';
import { LIMITS } from '../limits.ts';
import { HttpError } from './responses.ts';

/**
 * The request's JSON body as an object. `emptyIsObject`: a request with no body at all reads as
 * `{}` (routes whose every field is optional, so `curl -X POST` alone works).
 */
export async function readJsonObject(req: IncomingMessage, options: { emptyIsObject?: boolean } = {}): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > LIMITS.http.maxBodyBytes) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (options.emptyIsObject && !text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** 400 when `body` has a field not in `known` (a misspelt field would otherwise be ignored silently). */
export function refuseUnknownFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length) {
    throw new HttpError(
      400,
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}: this route takes ${known.join(', ')}`,
    );
  }
}
