/**
 * "Share online…" and "Keep a local copy", as the page sees them (ShareDialogs.tsx). Where the
 * page runs decides how a project is pushed and where the creator token is kept:
 * - a browser tab (`browserShare`): the page exports its own room (its owner token, same origin),
 *   pushes the file to the hosted server (POST /import, which answers CORS), keeps the creator
 *   token in sessionStorage (this tab's session only: never localStorage) and opens the hosted
 *   room with the owner token the import handed back;
 * - the Electron window (electron-platform.ts): the main process pushes the project file it holds
 *   and keeps the token with safeStorage (electron/share/).
 * Keeping a local copy is the same everywhere: GET /export with the owner token (the window's
 * requests go through the app's origin), saved through the platform's FileService.
 * The requests and their refusals in words are sync-server/client/transfer-client.ts.
 */
import type { RoomLink } from '../../sync-server/client/room-link.ts';
import type { LiveToken } from '../platform/token-renewal.ts';
import {
  exportRoom,
  importProject,
  TransferError,
  type FetchLike,
  type TransferProblem,
} from '../../sync-server/client/transfer-client.ts';

export interface ShareRequest {
  /** The hosted server's origin (parseServerUrl). */
  origin: string;
  /** The room's name there. */
  room: string;
  /** The creator token typed in; null: use the one kept for this server. */
  creatorToken: string | null;
}

export type ShareOutcome =
  /** Pushed; the window is moving to the hosted room. */
  { ok: true } | { ok: false; problem: TransferProblem | 'no-token'; message: string; suggestion: string | null };

export interface TokenKeeping {
  /** Whether a token is kept for this server (then the field may stay empty). */
  hasToken: boolean;
  /** What the dialog says about where the token goes. */
  note: string;
}

export interface ShareService {
  tokenKeeping(origin: string | null): Promise<TokenKeeping>;
  /** Pushes the open project (its whole log) to `request.origin`; on success the window moves there. */
  share(request: ShareRequest, from: { link: RoomLink; token: LiveToken }): Promise<ShareOutcome>;
}

/** The fragment flag a shared room's page opens with: the invites dialog opens at once. */
export const SHARED_FLAG = 'shared';

/** sessionStorage key (browser: creator tokens for this tab's session, per server origin). */
const SESSION_TOKENS = 'riffroom:creator-tokens';

export function outcomeOf(error: unknown): ShareOutcome {
  if (error instanceof TransferError) {
    return { ok: false, problem: error.problem, message: error.message, suggestion: error.problem === 'exists' ? error.detail : null };
  }
  return { ok: false, problem: 'server', message: error instanceof Error ? error.message : String(error), suggestion: null };
}

/** The hosted room's page, opened with the importer's owner token (in the fragment) and the shared flag. */
export function hostedPageLink(origin: string, room: string, ownerToken: string): string {
  const url = new URL('/', origin);
  url.searchParams.set('room', room);
  url.hash = `token=${ownerToken}&${SHARED_FLAG}=1`;
  return url.href;
}

/** Whether `hash` (the page's fragment, read before the token is taken out) carries the shared flag. */
export function hasSharedFlag(hash: string): boolean {
  return new URLSearchParams(hash.replace(/^#/, '')).get(SHARED_FLAG) === '1';
}

/** Only the owner exports (the server says so too; this says it before any request). */
export function ownerOnly(claims: { role: string }, what: string): string | null {
  return claims.role === 'owner'
    ? null
    : `Only the room's owner can ${what}. You joined as ${claims.role === 'viewer' ? 'a viewer' : `an ${claims.role}`}; ask the owner.`;
}

export function browserShare(options: { fetch: FetchLike; storage: () => Storage | null; go: (href: string) => void }): ShareService {
  const kept = (): Record<string, string> => {
    try {
      const value = JSON.parse(options.storage()?.getItem(SESSION_TOKENS) ?? '{}') as unknown;
      return value && typeof value === 'object' ? (value as Record<string, string>) : {};
    } catch {
      return {};
    }
  };
  const keep = (origin: string, token: string): void => {
    try {
      options.storage()?.setItem(SESSION_TOKENS, JSON.stringify({ ...kept(), [origin]: token }));
    } catch {
      // storage refused: the token is typed again next time
    }
  };
  return {
    async tokenKeeping(origin) {
      return {
        hasToken: Boolean(origin && kept()[origin]),
        note: 'This browser tab keeps the token only until it is closed (session storage; never saved for later). The desktop app can keep it encrypted.',
      };
    },
    async share(request, from) {
      const refused = ownerOnly(from.link.claims, 'share this room online');
      if (refused) return { ok: false, problem: 'not-owner', message: refused, suggestion: null };
      const creatorToken = request.creatorToken?.trim() || kept()[request.origin] || null;
      if (!creatorToken)
        return { ok: false, problem: 'no-token', message: `Paste a creator token for ${request.origin}.`, suggestion: null };
      try {
        const ownerToken = (await from.token.fresh()) ?? from.link.token;
        const { file } = await exportRoom(options.fetch, { origin: from.link.httpUrl, room: from.link.room, token: ownerToken });
        const imported = await importProject(options.fetch, { origin: request.origin, room: request.room, creatorToken, file });
        keep(request.origin, creatorToken);
        options.go(hostedPageLink(request.origin, imported.room, imported.token));
        return { ok: true };
      } catch (error) {
        return outcomeOf(error);
      }
    },
  };
}
