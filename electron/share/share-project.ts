/**
 * The desktop's "Share online…", apart from Electron (main/index.ts does the window's part): a
 * consistent copy of the open project (copyProject: one read transaction of the log the session
 * host is writing, its chain checked), pushed to the hosted server's POST /import with the
 * creator token (the one typed, else the one kept for that server), which is kept (encrypted, or
 * for this run only: server-tokens-store.ts) once the server accepted it. On success, where the
 * window goes next: the hosted room with the importer's owner token. Every refusal comes back as
 * a result in words (transfer-client.ts), never thrown across IPC.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShareOnlineRequest, ShareOnlineResult, ShareTokenInfo } from '../contract.ts';
import { copyProject } from '../project/project-file.ts';
import { importProject, parseServerUrl, TransferError, type FetchLike } from '../../sync-server/client/transfer-client.ts';
import type { TokenClaims } from '../../sync-server/contract.ts';
import type { ServerTokenStore } from './server-tokens-store.ts';

/** Where the window continues: the hosted room (electron/session/links.ts JoinTarget's shape). */
export interface HostedTarget {
  serverUrl: string;
  httpUrl: string;
  room: string;
  token: string;
  claims: TokenClaims;
}

export function tokenInfo(tokens: ServerTokenStore, origin: string | null): ShareTokenInfo {
  const persistence = tokens.persistence();
  return {
    hasToken: Boolean(origin && tokens.get(origin)),
    note: persistence.kept
      ? 'Riffroom keeps the token encrypted with your system’s keychain, for this server only.'
      : `Riffroom will not save the token: ${persistence.reason}.`,
  };
}

export async function shareProject(options: {
  projectPath: string;
  request: ShareOnlineRequest;
  tokens: ServerTokenStore;
  fetch: FetchLike;
  tempDir?: string;
}): Promise<{ result: ShareOnlineResult; target: HostedTarget | null }> {
  const fail = (problem: string, message: string, suggestion: string | null = null) => ({
    result: { ok: false as const, problem, message, suggestion },
    target: null,
  });
  const parsed = parseServerUrl(options.request.origin);
  if (!parsed.ok) return fail('url', parsed.problem);
  const origin = parsed.origin;
  const typed = options.request.creatorToken?.trim() || null;
  const creatorToken = typed ?? options.tokens.get(origin);
  if (!creatorToken)
    return fail('no-token', `Paste a creator token for ${origin} (its admin makes one with: riffroom-server token --server-role creator).`);
  const dir = mkdtempSync(join(options.tempDir ?? tmpdir(), 'riffroom-share-'));
  try {
    let file: Uint8Array;
    try {
      const copy = copyProject(options.projectPath, join(dir, 'project.riffroom'));
      file = new Uint8Array(readFileSync(copy.path));
    } catch (error) {
      return fail('no-project', `Cannot read the project to share it: ${(error as Error).message}`);
    }
    const imported = await importProject(options.fetch, { origin, room: options.request.room, creatorToken, file });
    if (typed) options.tokens.set(origin, typed);
    const secure = origin.startsWith('https:');
    const host = new URL(origin).host;
    return {
      result: { ok: true },
      target: {
        serverUrl: `${secure ? 'wss' : 'ws'}://${host}`,
        httpUrl: origin,
        room: imported.room,
        token: imported.token,
        claims: imported.claims,
      },
    };
  } catch (error) {
    if (error instanceof TransferError) {
      // A token the server refused is not kept; one kept before that no longer works is dropped.
      if (error.problem === 'token' && !typed) options.tokens.forget(origin);
      return fail(error.problem, error.message, error.problem === 'exists' ? error.detail : null);
    }
    return fail('server', (error as Error).message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
