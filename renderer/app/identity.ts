/**
 * The name bandmates see for this user: one they typed (kept in localStorage, so it sticks
 * across rooms), else the name in their invite's token, else they are asked. A token without a
 * chosen name carries just its role ("editor"), which is no name to show.
 */
import { ROLES, type TokenClaims } from '../../sync-server/contract.ts';

export const NAME_KEY = 'riffroom.displayName';

export interface NameStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The display name to use, or null when the user must be asked. */
export function displayName(claims: TokenClaims, storage: NameStorage | null): string | null {
  const chosen = storage?.getItem(NAME_KEY)?.trim();
  if (chosen) return chosen;
  const fromToken = claims.name.trim();
  if (fromToken && !(ROLES as readonly string[]).includes(fromToken)) return fromToken;
  return null;
}

export function rememberName(storage: NameStorage | null, name: string): void {
  try {
    storage?.setItem(NAME_KEY, name.trim());
  } catch {
    // Private windows may refuse storage; the name still holds for this session.
  }
}
