/**
 * The logic of the desktop app's "Host a jam" and "Join a jam" dialogs (JamDialogs.tsx), apart
 * from React so it is tested under Node: what a session's links say, and a link checker that asks
 * the main process (electron/session/links.ts parseJoinLink, over the bridge) about what was
 * pasted and keeps only the newest answer.
 */
import type { JoinLinkCheck, SessionInfo } from '../../electron/contract.ts';
import type { DesktopSession } from '../platform/platform.ts';

/** sessionStorage key: the host dialog reopens after the window reloads into the hosted session. */
export const REOPEN_HOST_DIALOG = 'riffroom:reopen-host-dialog';

/** "in 6 days", "in 3 hours", "in 12 minutes", "expired". */
export function expiresIn(expSeconds: number, nowMs = Date.now()): string {
  const left = expSeconds * 1000 - nowMs;
  if (left <= 0) return 'expired';
  const minutes = Math.round(left / 60_000);
  if (minutes < 60) return `in ${Math.max(1, minutes)} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} hour${hours === 1 ? '' : 's'}`;
  return `in ${Math.round(hours / 24)} days`;
}

export interface HostingView {
  invite: string;
  browserLink: string | null;
  /** What to say about who can reach this machine. */
  reach: string;
  /** Whether only this computer can join (no LAN address). */
  localOnly: boolean;
  expires: string | null;
}

/** What the host dialog shows while hosting; null when not hosting. */
export function hostingView(info: SessionInfo, nowMs = Date.now()): HostingView | null {
  if (info.mode !== 'hosting' || !info.invite) return null;
  return {
    invite: info.invite,
    browserLink: info.browserLink,
    reach: info.lanAddress
      ? `Bandmates on your network can join at ${info.lanAddress}.`
      : 'This computer has no network address: only this computer can join. Connect to a network, then stop and host again.',
    localOnly: !info.lanAddress,
    expires: info.inviteExpires === null ? null : expiresIn(info.inviteExpires, nowMs),
  };
}

/** One line that says what a good link joins. */
export function describeJoin(check: Extract<JoinLinkCheck, { ok: true }>): string {
  const role = check.role === 'viewer' ? 'viewing only' : check.role;
  if (check.invite)
    return `Room "${check.room}" on ${check.host}, as ${check.role === 'viewer' ? 'a viewer' : `an ${role}`}: you give your name when it opens.`;
  return `Room "${check.room}" on ${check.host}, as ${check.name} (${role}).`;
}

export type LinkState = { state: 'empty' } | { state: 'checking'; link: string } | { state: 'checked'; link: string; check: JoinLinkCheck };

/**
 * Checks links as they are typed or pasted: each `set(link)` asks the main process once (after
 * `delayMs`, so typing does not flood the bridge); an answer to an older link is dropped.
 */
export function linkChecker(session: Pick<DesktopSession, 'checkJoinLink'>, onState: (state: LinkState) => void, delayMs = 150) {
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    set(text: string): void {
      const link = text.trim();
      const mine = ++seq;
      clearTimeout(timer);
      if (!link) return onState({ state: 'empty' });
      onState({ state: 'checking', link });
      timer = setTimeout(() => {
        session.checkJoinLink({ link }).then(
          (check) => mine === seq && onState({ state: 'checked', link, check }),
          (error: Error) => mine === seq && onState({ state: 'checked', link, check: { ok: false, problem: plainError(error) } }),
        );
      }, delayMs);
    },
    dispose(): void {
      seq++;
      clearTimeout(timer);
    },
  };
}

/** An error from the bridge without Electron's "Error invoking remote method '…': Error:" prefix. */
export function plainError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
}
