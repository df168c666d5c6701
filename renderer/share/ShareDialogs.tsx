/**
 * The top bar's "Share online…" and "Keep a local copy" (a browser tab and the desktop window
 * alike; how each is done is the platform's ShareService, share-service.ts).
 *
 * Share online: the server's address and a creator token (typed once: kept as the platform
 * says, and the dialog says how), the room's name there; the project's whole log is pushed and
 * the window continues in the hosted room, where the invites dialog opens by itself and mints an
 * editor and a viewer invite (POST /invites, the owner only). A refusal is shown in the dialog in
 * words (transfer-client.ts); a name that is taken offers another.
 * Keep a local copy: the room's log (GET /export, the owner only) saved as a .riffroom project,
 * which opens offline with its whole history.
 */
import { useEffect, useState } from 'react';
import type { Notify } from '../app/edit-runner.ts';
import { ModalDialog } from '../app/Dialogs.tsx';
import type { FileService } from '../platform/file-service.ts';
import type { RoomSession } from '../state/session.ts';
import { exportRoom, mintInvites, parseServerUrl, TransferError } from '../../sync-server/client/transfer-client.ts';
import type { InvitesResponse } from '../../sync-server/contract.ts';
import { hasSharedFlag, ownerOnly, type ShareOutcome, type ShareService } from './share-service.ts';

/** sessionStorage key: the invites dialog opens after the desktop window reloads into the hosted room. */
export const REOPEN_INVITES = 'riffroom:reopen-invites';
/** Read when the bundle loads, before the page takes the token (and this flag) out of its address. */
const OPENED_SHARED = typeof location !== 'undefined' && hasSharedFlag(location.hash);
if (OPENED_SHARED) {
  // Out of the address at once (the token stays for the page to read): a reload opens no dialog.
  const params = new URLSearchParams(location.hash.slice(1));
  params.delete('shared');
  try {
    history.replaceState(history.state, '', `${location.pathname}${location.search}#${params.toString()}`);
  } catch {
    // an address the page may not rewrite: the dialog opens again on reload, nothing worse
  }
}
const LAST_SERVER = 'riffroom:share-server';

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function ShareButtons({
  session,
  files,
  share,
  notify,
}: {
  session: RoomSession;
  files: FileService;
  share?: ShareService;
  notify: Notify;
}) {
  const [open, setOpen] = useState<'share' | 'invites' | null>(() => {
    if (sessionStore()?.getItem(REOPEN_INVITES)) {
      sessionStore()?.removeItem(REOPEN_INVITES);
      return 'invites';
    }
    return OPENED_SHARED ? 'invites' : null;
  });
  const [keeping, setKeeping] = useState(false);
  const owner = session.token.claims.role === 'owner';

  const keepCopy = async (): Promise<void> => {
    const refused = ownerOnly(session.token.claims, 'keep a local copy of this room');
    if (refused) return notify(refused, 'error');
    setKeeping(true);
    try {
      const token = (await session.token.fresh()) ?? session.link.token;
      const { file } = await exportRoom((url, init) => fetch(url, init as RequestInit), {
        origin: session.link.httpUrl,
        room: session.link.room,
        token,
      });
      const savedAs = await files.save(`${session.link.room}.riffroom`, file, 'application/x-riffroom');
      if (savedAs) notify(`Saved ${savedAs}: a project with the room's whole history, which opens without a connection.`);
    } catch (error) {
      notify(error instanceof TransferError ? error.message : `Could not keep a local copy: ${(error as Error).message}`, 'error');
    } finally {
      setKeeping(false);
    }
  };

  return (
    <>
      <div className="group share-buttons">
        {share && (
          <button
            type="button"
            data-testid="share-online"
            title={
              owner ? 'Put this project on a hosted server, with its history, and invite bandmates' : 'Only the room’s owner can share it'
            }
            onClick={() => setOpen('share')}
          >
            Share online…
          </button>
        )}
        {owner && share && (
          <button type="button" data-testid="share-invites" title="Fresh invite links for this room" onClick={() => setOpen('invites')}>
            Invite…
          </button>
        )}
        <button
          type="button"
          data-testid="keep-copy"
          disabled={keeping}
          title={owner ? 'Save this room, with its whole history, as a project file' : 'Only the room’s owner can keep a local copy'}
          onClick={() => void keepCopy()}
        >
          {keeping ? 'Keeping…' : 'Keep a local copy'}
        </button>
      </div>
      {open === 'share' && share && <ShareOnlineDialog session={session} share={share} onClose={() => setOpen(null)} />}
      {open === 'invites' && <InvitesDialog session={session} onClose={() => setOpen(null)} />}
    </>
  );
}

export function ShareOnlineDialog({ session, share, onClose }: { session: RoomSession; share: ShareService; onClose(): void }) {
  const [server, setServer] = useState(() => localStore()?.getItem(LAST_SERVER) ?? '');
  const [token, setToken] = useState('');
  const [room, setRoom] = useState(session.link.room);
  const [keeping, setKeeping] = useState<{ hasToken: boolean; note: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Extract<ShareOutcome, { ok: false }> | null>(null);
  const parsed = server.trim() ? parseServerUrl(server) : null;
  const origin = parsed?.ok ? parsed.origin : null;
  const refused = ownerOnly(session.token.claims, 'share this room online');

  useEffect(() => {
    let live = true;
    share.tokenKeeping(origin).then(
      (value) => live && setKeeping(value),
      () => {},
    );
    return () => void (live = false);
  }, [share, origin]);

  const submit = (): void => {
    if (!origin || busy || refused) return;
    setBusy(true);
    setOutcome(null);
    localStore()?.setItem(LAST_SERVER, origin);
    sessionStore()?.setItem(REOPEN_INVITES, '1');
    share.share({ origin, room: room.trim(), creatorToken: token.trim() || null }, { link: session.link, token: session.token }).then(
      (answer) => {
        if (answer.ok) return; // the window is moving to the hosted room
        sessionStore()?.removeItem(REOPEN_INVITES);
        setBusy(false);
        setOutcome(answer);
      },
      (error: Error) => {
        sessionStore()?.removeItem(REOPEN_INVITES);
        setBusy(false);
        setOutcome({ ok: false, problem: 'server', message: error.message, suggestion: null });
      },
    );
  };

  return (
    <ModalDialog className="jam-dialog" testId="share-dialog" label="Share online" onClose={onClose}>
      {refused ? (
        <p className="jam-problem" role="alert" data-testid="share-error">
          {refused}
        </p>
      ) : (
        <>
          <p>
            Puts this project, with its whole history, on a Riffroom server as a new room you own; this window then continues there and you
            can invite bandmates from anywhere.
          </p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <label className="jam-link">
              <span>Server</span>
              <input
                data-testid="share-server"
                autoFocus
                placeholder="https://jam.example.org"
                spellCheck={false}
                value={server}
                onChange={(e) => setServer(e.currentTarget.value)}
              />
            </label>
            {parsed && !parsed.ok && (
              <p className="jam-problem" data-testid="share-server-problem">
                {parsed.problem}
              </p>
            )}
            <label className="jam-link">
              <span>Creator token {keeping?.hasToken ? '(kept for this server: leave empty to use it)' : '(from the server’s admin)'}</span>
              <input
                data-testid="share-token"
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={token}
                onChange={(e) => setToken(e.currentTarget.value)}
              />
            </label>
            {keeping && (
              <p className="share-note" data-testid="share-token-note">
                {keeping.note}
              </p>
            )}
            <label className="jam-link">
              <span>Room name there</span>
              <input data-testid="share-room" spellCheck={false} value={room} onChange={(e) => setRoom(e.currentTarget.value)} />
            </label>
            <button type="submit" hidden />
          </form>
          {outcome && (
            <p className="jam-problem" role="alert" data-testid="share-error">
              {outcome.message}{' '}
              {outcome.suggestion && (
                <button
                  type="button"
                  data-testid="share-use-suggestion"
                  onClick={() => {
                    setRoom(outcome.suggestion!);
                    setOutcome(null);
                  }}
                >
                  Use “{outcome.suggestion}”
                </button>
              )}
            </p>
          )}
        </>
      )}
      <div className="file-buttons">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        {!refused && (
          <button type="button" className="active" data-testid="share-submit" disabled={!origin || busy || !room.trim()} onClick={submit}>
            {busy ? 'Sharing…' : 'Share online'}
          </button>
        )}
      </div>
    </ModalDialog>
  );
}

export function InvitesDialog({ session, onClose }: { session: RoomSession; onClose(): void }) {
  const [invites, setInvites] = useState<InvitesResponse | null>(null);
  // Only the owner makes invites: anyone else sees why, and nothing is asked of the server.
  const refusal = ownerOnly(session.token.claims, 'make invites');
  const [problem, setProblem] = useState<string | null>(refusal);
  useEffect(() => {
    if (refusal) return;
    let live = true;
    void (async () => {
      try {
        const token = (await session.token.fresh()) ?? session.link.token;
        const answer = await mintInvites((url, init) => fetch(url, init as RequestInit), {
          origin: session.link.httpUrl,
          room: session.link.room,
          token,
        });
        if (live) setInvites(answer);
      } catch (error) {
        if (live) setProblem(error instanceof TransferError ? error.message : (error as Error).message);
      }
    })();
    return () => void (live = false);
  }, [session, refusal]);
  const expires = invites ? new Date(invites.invitesExpire * 1000).toLocaleString() : null;
  return (
    <ModalDialog className="jam-dialog" testId="invites-dialog" label={`Invite bandmates to ${session.link.room}`} onClose={onClose}>
      {invites ? (
        <>
          <p>Send a link; each person who opens it gives their name and joins as themselves.</p>
          <label className="jam-link">
            <span>Editor invite (can play and edit)</span>
            <input readOnly data-testid="invite-editor-link" value={invites.links.editor} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <label className="jam-link">
            <span>Viewer invite (listens and watches)</span>
            <input readOnly data-testid="invite-viewer-link" value={invites.links.viewer} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <p data-testid="invites-expire">The invites work until {expires}.</p>
        </>
      ) : problem ? (
        <p className="jam-problem" role="alert" data-testid="invites-error">
          {problem}
        </p>
      ) : (
        <p>Making invites…</p>
      )}
      <div className="file-buttons">
        <button type="button" className="active" data-testid="invites-close" onClick={onClose}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
