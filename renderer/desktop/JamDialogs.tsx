/**
 * The desktop app's "Host a jam" and "Join a jam", in the page (the Electron window only: a
 * browser tab is a guest already and shows none of this). The buttons sit in the top bar; the
 * application menu's Host a Jam… / Join a Jam… open the same dialogs.
 *
 * Host: the session host binds to the LAN (the window reloads onto it, and the dialog opens again
 * there) and the dialog shows the invite link and the browser link, each with Copy (the main
 * process copies its own link: the page cannot put arbitrary text on the clipboard), this
 * machine's LAN address, when the invite expires, and Stop hosting.
 * Join: paste a link; the main process reads it (electron/session/links.ts parseJoinLink) and the
 * dialog shows what it would join, or in words what is wrong with it, before Join.
 */
import { useEffect, useRef, useState } from 'react';
import type { SessionInfo } from '../../electron/contract.ts';
import type { Notify } from '../app/edit-runner.ts';
import { ModalDialog } from '../app/Dialogs.tsx';
import { onAppCommand } from '../platform/app-commands.ts';
import type { DesktopSession } from '../platform/platform.ts';
import { describeJoin, hostingView, linkChecker, plainError, REOPEN_HOST_DIALOG, type LinkState } from './jam-links.ts';

type Open = 'host' | 'join' | null;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The top bar's Host a jam / Join a jam buttons and their dialogs. */
export function DesktopJam({ session, notify }: { session: DesktopSession; notify: Notify }) {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [open, setOpen] = useState<Open>(null);

  useEffect(() => {
    let live = true;
    session.info().then(
      (value) => {
        if (!live) return;
        setInfo(value);
        // Hosting began in the page before the window reloaded onto the hosted session.
        if (storage()?.getItem(REOPEN_HOST_DIALOG)) {
          storage()?.removeItem(REOPEN_HOST_DIALOG);
          if (value.mode === 'hosting') setOpen('host');
        }
      },
      (error: Error) => notify(`Cannot read the session: ${plainError(error)}`, 'error'),
    );
    return () => void (live = false);
  }, [session, notify]);

  useEffect(
    () =>
      onAppCommand((command) => {
        if (command === 'host-jam') setOpen('host');
        else if (command === 'join-jam') setOpen('join');
      }),
    [],
  );

  const mode = info?.mode ?? 'solo';
  return (
    <>
      <div className="group desktop-jam">
        <button
          type="button"
          data-testid="host-jam"
          className={mode === 'hosting' ? 'active' : undefined}
          disabled={mode === 'joined'}
          title={
            mode === 'joined'
              ? 'You are in a bandmate’s jam'
              : mode === 'hosting'
                ? 'Hosting a jam: the invite links, stop hosting'
                : 'Let bandmates on your network join this song'
          }
          onClick={() => setOpen('host')}
        >
          {mode === 'hosting' ? '● Hosting' : 'Host a jam'}
        </button>
        <button type="button" data-testid="join-jam" title="Open a bandmate’s jam from their invite link" onClick={() => setOpen('join')}>
          Join a jam
        </button>
      </div>
      {open === 'host' && info && <HostJamDialog session={session} info={info} onInfo={setInfo} onClose={() => setOpen(null)} />}
      {open === 'join' && <JoinJamDialog session={session} onClose={() => setOpen(null)} />}
    </>
  );
}

function LinkRow({
  label,
  link,
  which,
  testId,
  session,
  onError,
}: {
  label: string;
  link: string;
  which: 'invite' | 'browser';
  testId: string;
  session: DesktopSession;
  onError(message: string): void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <label className="jam-link">
      <span>{label}</span>
      <span className="jam-link-row">
        <input readOnly data-testid={`${testId}-link`} value={link} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          data-testid={`${testId}-copy`}
          onClick={() =>
            session.copyLink({ which }).then(
              () => setCopied(true),
              (error: Error) => onError(plainError(error)),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </span>
    </label>
  );
}

export function HostJamDialog({
  session,
  info,
  onInfo,
  onClose,
}: {
  session: DesktopSession;
  info: SessionInfo;
  onInfo(info: SessionInfo): void;
  onClose(): void;
}) {
  const [busy, setBusy] = useState<'host' | 'stop' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const view = hostingView(info);

  const run = (what: 'host' | 'stop'): void => {
    setBusy(what);
    setProblem(null);
    if (what === 'host') storage()?.setItem(REOPEN_HOST_DIALOG, '1');
    // The window reloads onto the session when the main process has switched it.
    (what === 'host' ? session.hostJam() : session.stopHosting()).then(
      (next) => {
        setBusy(null);
        onInfo(next);
        if (what === 'stop') onClose();
      },
      (error: Error) => {
        storage()?.removeItem(REOPEN_HOST_DIALOG);
        setBusy(null);
        setProblem(plainError(error));
      },
    );
  };

  return (
    <ModalDialog className="jam-dialog" testId="host-jam-dialog" label={view ? 'Hosting a jam' : 'Host a jam'} onClose={onClose}>
      {view ? (
        <>
          <p data-testid="host-reach" className={view.localOnly ? 'jam-warning' : undefined}>
            {view.reach}
          </p>
          <LinkRow
            label="Invite link (paste it into Join a jam in the app)"
            link={view.invite}
            which="invite"
            testId="host-invite"
            session={session}
            onError={setProblem}
          />
          {view.browserLink ? (
            <LinkRow
              label="Browser link (for a bandmate without the app)"
              link={view.browserLink}
              which="browser"
              testId="host-browser"
              session={session}
              onError={setProblem}
            />
          ) : (
            <p data-testid="host-no-browser">This host serves no web client, so bandmates need the app.</p>
          )}
          {view.expires && <p data-testid="host-expires">The invite expires {view.expires}.</p>}
        </>
      ) : (
        <p>
          {info.mode === 'joined'
            ? 'You are in a bandmate’s jam. Open a project of your own to host one.'
            : `Bandmates on your network open “${info.project?.name ?? 'this song'}” with you, live. Riffroom listens on your network until you stop hosting.`}
        </p>
      )}
      {problem && (
        <p className="jam-problem" role="alert" data-testid="host-problem">
          {problem}
        </p>
      )}
      <div className="file-buttons">
        {view && (
          <button type="button" data-testid="host-stop" disabled={busy !== null} onClick={() => run('stop')}>
            {busy === 'stop' ? 'Stopping…' : 'Stop hosting'}
          </button>
        )}
        <button type="button" onClick={onClose} data-testid="host-close">
          {view ? 'Close' : 'Cancel'}
        </button>
        {!view && (
          <button
            type="button"
            className="active"
            data-testid="host-start"
            autoFocus
            disabled={busy !== null || info.mode === 'joined'}
            onClick={() => run('host')}
          >
            {busy === 'host' ? 'Starting…' : 'Start hosting'}
          </button>
        )}
      </div>
    </ModalDialog>
  );
}

export function JoinJamDialog({ session, onClose }: { session: DesktopSession; onClose(): void }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<LinkState>({ state: 'empty' });
  const [joining, setJoining] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const checker = useRef<ReturnType<typeof linkChecker> | null>(null);
  useEffect(() => {
    const c = linkChecker(session, setState);
    checker.current = c;
    return () => c.dispose();
  }, [session]);

  const good = state.state === 'checked' && state.check.ok ? state.check : null;
  const bad = state.state === 'checked' && !state.check.ok ? state.check.problem : null;
  const join = (): void => {
    if (!good || state.state !== 'checked' || joining) return;
    setJoining(true);
    setProblem(null);
    // The window reloads into the joined room.
    session.joinJam({ link: state.link }).catch((error: Error) => {
      setJoining(false);
      setProblem(plainError(error));
    });
  };

  return (
    <ModalDialog className="jam-dialog" testId="join-jam-dialog" label="Join a jam" onClose={onClose}>
      <p>Paste the invite link your bandmate sent you.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          join();
        }}
      >
        <input
          autoFocus
          data-testid="join-link"
          aria-label="Invite link"
          placeholder="http://192.168.1.20:4455/?room=my-song#token=…"
          value={text}
          spellCheck={false}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setProblem(null);
            checker.current?.set(e.currentTarget.value);
          }}
        />
      </form>
      {good && (
        <p className="jam-ok" data-testid="join-preview">
          {describeJoin(good)}
        </p>
      )}
      {(bad ?? problem) && (
        <p className="jam-problem" role="alert" data-testid="join-error">
          {bad ?? problem}
        </p>
      )}
      <div className="file-buttons">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="active" data-testid="join-submit" disabled={!good || joining} onClick={join}>
          {joining ? 'Joining…' : 'Join'}
        </button>
      </div>
    </ModalDialog>
  );
}
