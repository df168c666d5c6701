/**
 * Typed calls to a sync server's history HTTP API (contract.ts) for cross-process tests.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import type {
  ErrorResponse,
  HistoryEntry,
  HistoryResponse,
  RestoreResponse,
  TakeBackResponse,
  TakeBackSource,
  TokenResponse,
} from '../../sync-server/contract.ts';
import { readSong } from '../../core/song/schema.ts';
import type { Song } from '../../core/song/types.ts';

export interface ApiTarget {
  /** http://127.0.0.1:<port> */
  url: string;
}

function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * fetch, as an honest client does it: a 429 (the server's per-address rate limit) is retried after
 * the Retry-After the server gave.
 */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const res = await fetch(url, init);
    if (res.status !== 429) return res;
    const seconds = Number(res.headers.get('retry-after') ?? '1');
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, Math.max(1, seconds) * 1000));
  }
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

export async function getHistory(server: ApiTarget, room: string, token: string, after = 0): Promise<HistoryResponse> {
  const all: HistoryEntry[] = [];
  let lastSeq = 0;
  for (;;) {
    const res = await expectOk(
      await apiFetch(`${server.url}/api/rooms/${room}/history?after=${after}&limit=10000`, { headers: auth(token) }),
      'GET history',
    );
    const page = (await res.json()) as HistoryResponse;
    all.push(...page.entries);
    lastSeq = page.lastSeq;
    if (!page.entries.length || page.entries.at(-1)!.seq >= lastSeq) break;
    after = page.entries.at(-1)!.seq;
  }
  return { entries: all, lastSeq };
}

export async function getLastSeq(server: ApiTarget, room: string, token: string): Promise<number> {
  const res = await expectOk(await apiFetch(`${server.url}/api/rooms/${room}/history?limit=0`, { headers: auth(token) }), 'GET history');
  return ((await res.json()) as HistoryResponse).lastSeq;
}

/** GET /state (at `at`, or now) applied to a fresh document. */
export async function getStateDoc(server: ApiTarget, room: string, token: string, at?: number): Promise<Y.Doc> {
  const query = at === undefined ? '' : `?at=${at}`;
  const res = await expectOk(await apiFetch(`${server.url}/api/rooms/${room}/state${query}`, { headers: auth(token) }), 'GET state');
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await res.arrayBuffer()));
  return doc;
}

export async function getSong(server: ApiTarget, room: string, token: string, at?: number): Promise<Song> {
  const doc = await getStateDoc(server, room, token, at);
  try {
    return readSong(doc);
  } finally {
    doc.destroy();
  }
}

/** POST /restore; returns the raw response so callers can check refusals. */
export async function postRestore(server: ApiTarget, room: string, token: string, seq: unknown): Promise<Response> {
  return apiFetch(`${server.url}/api/rooms/${room}/restore`, {
    method: 'POST',
    headers: { ...auth(token), 'content-type': 'application/json' },
    body: JSON.stringify({ seq }),
  });
}

export async function restore(server: ApiTarget, room: string, token: string, seq: number): Promise<number> {
  const res = await expectOk(await postRestore(server, room, token, seq), `POST restore ${seq}`);
  return ((await res.json()) as RestoreResponse).seq;
}

export async function postTakeBack(server: ApiTarget, room: string, token: string, body: unknown): Promise<Response> {
  return apiFetch(`${server.url}/api/rooms/${room}/take-back`, {
    method: 'POST',
    headers: { ...auth(token), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function takeBack(server: ApiTarget, room: string, token: string, source: TakeBackSource): Promise<TakeBackResponse> {
  const res = await expectOk(await postTakeBack(server, room, token, { source }), `POST take-back ${JSON.stringify(source)}`);
  return (await res.json()) as TakeBackResponse;
}

/** GET /updates?after=: the log's updates, decoded from the framed replay stream. */
export async function getUpdates(
  server: ApiTarget,
  room: string,
  token: string,
  after = 0,
): Promise<{ seq: number; update: Uint8Array }[]> {
  const out: { seq: number; update: Uint8Array }[] = [];
  for (;;) {
    const res = await expectOk(
      await apiFetch(`${server.url}/api/rooms/${room}/updates?after=${after}&limit=100000`, { headers: auth(token) }),
      'GET updates',
    );
    const decoder = decoding.createDecoder(new Uint8Array(await res.arrayBuffer()));
    let count = 0;
    while (decoding.hasContent(decoder)) {
      const seq = decoding.readVarUint(decoder);
      const update = decoding.readVarUint8Array(decoder);
      out.push({ seq, update });
      after = seq;
      count++;
    }
    if (count < 100000) return out;
  }
}

/** Polls until the room's history reaches `seq` (or beyond); returns the lastSeq seen. */
export async function waitForSeq(server: ApiTarget, room: string, token: string, seq: number, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await getLastSeq(server, room, token);
    if (last >= seq) return last;
    if (Date.now() > deadline) throw new Error(`timed out: room ${room} stayed at seq ${last}, waiting for ${seq}`);
    await new Promise((r) => setTimeout(r, 10)); // well inside the server's per-address API rate
  }
}

/** Waits until the room's history has an entry labelled `label`; the labels it has then. */
export async function waitForHistoryLabel(
  server: ApiTarget,
  room: string,
  token: string,
  label: string,
  timeoutMs = 5000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const labels = (await getHistory(server, room, token)).entries.map((e) => e.label);
    if (labels.includes(label)) return labels;
    if (Date.now() > deadline)
      throw new Error(`timed out: the history of room ${room} has no "${label}" (last: ${labels.slice(-3).join(' | ')})`);
    await new Promise((r) => setTimeout(r, 10)); // well inside the server's per-address API rate
  }
}

/**
 * Waits until the server's state of `room` holds everything `doc` has (its state vector covers the
 * document's): what a client wrote has been accepted and logged, so the client may go.
 */
export async function waitForServerState(server: ApiTarget, room: string, token: string, doc: Y.Doc, timeoutMs = 10_000): Promise<void> {
  const want = Y.decodeStateVector(Y.encodeStateVector(doc));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await getStateDoc(server, room, token);
    const have = Y.decodeStateVector(Y.encodeStateVector(state));
    state.destroy();
    const missing = [...want].filter(([client, clock]) => (have.get(client) ?? 0) < clock);
    if (!missing.length) return;
    if (Date.now() > deadline) throw new Error(`timed out: room ${room} lacks updates of clients ${missing.map(([c]) => c).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function healthz(server: ApiTarget): Promise<{ ok: boolean; rooms: number; connections: number }> {
  const res = await expectOk(await fetch(`${server.url}/healthz`), 'GET /healthz');
  return (await res.json()) as { ok: boolean; rooms: number; connections: number };
}

/** POST /join with an invite; returns the raw response so callers can check refusals. */
export function postJoin(server: ApiTarget, room: string, invite: string, body: unknown): Promise<Response> {
  return apiFetch(`${server.url}/api/rooms/${room}/join`, {
    method: 'POST',
    headers: { ...auth(invite), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Trades an invite for a personal token under `name`. */
export async function joinWithInvite(server: ApiTarget, room: string, invite: string, name: string): Promise<TokenResponse> {
  return (await (await expectOk(await postJoin(server, room, invite, { name }), `POST join as ${name}`)).json()) as TokenResponse;
}

/** POST /renew with a personal token; the raw response. */
export function postRenew(server: ApiTarget, room: string, token: string): Promise<Response> {
  return apiFetch(`${server.url}/api/rooms/${room}/renew`, { method: 'POST', headers: auth(token) });
}

/** The `{ error }` of a refused answer. */
export async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as ErrorResponse).error;
}
