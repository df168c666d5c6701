/**
 * Keeps the page's personal token per server and room, so a reload (whose address no longer
 * carries a token: the page removed it) comes back as the same person: the same identity id, the
 * tracks it owns under the teacher's "own track", without joining again as someone new. Kept in
 * localStorage, or sessionStorage where localStorage is refused (some private windows); the
 * invite a token was joined from is kept beside it, so when the token has run out the invite is
 * used again (a new identity: the old one cannot come back).
 *
 * `chooseToken` decides, from the address's token and what is kept, what the page does: connect
 * with a personal token, ask the name and join with an invite, or say why it cannot. Pure apart
 * from the storage it is given; runs under Node tests.
 */
import type { TokenClaims } from '../../sync-server/contract.ts';
import { clockTime, decodeTokenClaims, linkWithToken, type RoomAddress, type RoomLink } from '../../sync-server/client/room-link.ts';

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What is kept for one server and room. */
export interface KeptToken {
  /** The personal token the page connects with (the newest renewal of it). */
  token: string;
  /** The invite it was joined from, if any: used again once the token has run out. */
  invite?: string;
}

/** A kept token is used only with this much life left (seconds): less would not survive connecting. */
export const KEPT_TOKEN_MARGIN_S = 5;

const PREFIX = 'riffroom.token.';

export class TokenKeeper {
  private readonly stores: StorageLike[];

  /** `stores`: where to keep, in order of preference (the first that takes a write wins). */
  constructor(stores: (StorageLike | null | undefined)[]) {
    this.stores = stores.filter((s): s is StorageLike => !!s);
  }

  static key(address: Pick<RoomAddress, 'serverUrl' | 'room'>): string {
    return `${PREFIX}${address.serverUrl}/${address.room}`;
  }

  get(address: Pick<RoomAddress, 'serverUrl' | 'room'>): KeptToken | null {
    const key = TokenKeeper.key(address);
    for (const store of this.stores) {
      let raw: string | null = null;
      try {
        raw = store.getItem(key);
      } catch {
        continue;
      }
      if (!raw) continue;
      try {
        const kept = JSON.parse(raw) as Partial<KeptToken> | null;
        if (kept && typeof kept.token === 'string' && (kept.invite === undefined || typeof kept.invite === 'string')) {
          return kept.invite === undefined ? { token: kept.token } : { token: kept.token, invite: kept.invite };
        }
      } catch {
        // not ours, or damaged: as if nothing were kept
      }
    }
    return null;
  }

  /** Keeps `kept` in the first store that takes it (and clears it from the others). */
  keep(address: Pick<RoomAddress, 'serverUrl' | 'room'>, kept: KeptToken): boolean {
    const key = TokenKeeper.key(address);
    const value = JSON.stringify(kept);
    let stored = false;
    for (const store of this.stores) {
      try {
        if (!stored) {
          store.setItem(key, value);
          stored = true;
        } else {
          store.removeItem(key);
        }
      } catch {
        // refused (quota, private window): the next store is the fallback
      }
    }
    return stored;
  }

  forget(address: Pick<RoomAddress, 'serverUrl' | 'room'>): void {
    const key = TokenKeeper.key(address);
    for (const store of this.stores) {
      try {
        store.removeItem(key);
      } catch {
        // nothing to do
      }
    }
  }
}

/** The page's keeper: localStorage, with sessionStorage as the fallback. */
export function browserTokenKeeper(scope: { localStorage?: StorageLike; sessionStorage?: StorageLike } = globalThis as never): TokenKeeper {
  const get = (name: 'localStorage' | 'sessionStorage'): StorageLike | null => {
    try {
      return scope[name] ?? null; // reading the property itself throws where storage is blocked
    } catch {
      return null;
    }
  };
  return new TokenKeeper([get('localStorage'), get('sessionStorage')]);
}

export type TokenChoice =
  /** Connect with this personal token (`kept` is what to keep from now on). */
  | { kind: 'use'; link: RoomLink; kept: KeptToken }
  /** An invite: ask the name, then trade it for a personal token (POST /join). */
  | { kind: 'join'; address: RoomAddress; invite: string; claims: TokenClaims }
  | { kind: 'problem'; problem: string; forget: boolean };

const usable = (claims: TokenClaims | null, nowSeconds: number): claims is TokenClaims =>
  !!claims && !claims.invite && claims.exp > nowSeconds + KEPT_TOKEN_MARGIN_S;

/**
 * What to open the room with, given the address's token (null when the address carries none)
 * and what is kept for this server and room:
 * - an invite in the address: the token kept from that same invite while it lasts, else join;
 * - a personal token in the address: it, or the kept renewal of it (same identity, later exp);
 * - no token in the address (a reload): the kept token while it lasts, else its invite again;
 * - otherwise why not, in words (`forget`: what is kept is of no more use).
 */
export function chooseToken(
  address: RoomAddress,
  fromAddress: string | null,
  kept: KeptToken | null,
  nowSeconds = Date.now() / 1000,
): TokenChoice {
  const keptClaims = kept ? decodeTokenClaims(kept.token) : null;
  const keptUsable = usable(keptClaims, nowSeconds) && keptClaims.room === address.room;
  const keptChoice = (): TokenChoice => ({ kind: 'use', link: { ...address, token: kept!.token, claims: keptClaims! }, kept: kept! });

  if (fromAddress !== null) {
    const checked = linkWithToken(address, fromAddress, nowSeconds);
    const claims = decodeTokenClaims(fromAddress);
    if (claims?.invite && claims.room === address.room) {
      if (keptUsable && kept!.invite === fromAddress) return keptChoice();
      if (!checked.ok) return { kind: 'problem', problem: checked.problem, forget: false };
      return { kind: 'join', address, invite: fromAddress, claims };
    }
    // The window's own token again (the desktop app loads the page with it, even once it has
    // expired): a kept renewal of it lasts longer.
    if (
      claims &&
      claims.room === address.room &&
      keptUsable &&
      keptClaims.id === claims.id &&
      keptClaims.role === claims.role &&
      keptClaims.exp > claims.exp
    ) {
      return keptChoice();
    }
    if (!checked.ok) return { kind: 'problem', problem: checked.problem, forget: false };
    return { kind: 'use', link: checked.link, kept: { token: fromAddress } };
  }

  if (keptUsable) return keptChoice();
  if (kept?.invite) {
    const invite = decodeTokenClaims(kept.invite);
    if (invite?.invite && invite.room === address.room && invite.exp > nowSeconds) {
      return { kind: 'join', address, invite: kept.invite, claims: invite };
    }
    if (invite)
      return {
        kind: 'problem',
        problem: `Your invite to room "${address.room}" expired at ${clockTime(invite.exp, nowSeconds)}. Ask the host for a new link.`,
        forget: true,
      };
  }
  if (keptClaims) {
    return {
      kind: 'problem',
      problem: `Your link to room "${address.room}" expired at ${clockTime(keptClaims.exp, nowSeconds)}. Ask the host for a new link.`,
      forget: true,
    };
  }
  return {
    kind: 'problem',
    problem: `This link to room "${address.room}" has no token. Ask the host for an invite link with a token.`,
    forget: !!kept,
  };
}
