/**
 * The jam room: top bar, arrangement, clip editor, side panel, status line; the selection, zoom
 * and keyboard commands that tie them together.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { setEditAuthor } from '../../core/song/edits.ts';
import { clipsMap } from '../../core/song/schema.ts';
import type { Transport } from '../audio/transport.ts';
import { onAppCommand } from '../platform/app-commands.ts';
import type { Platform } from '../platform/platform.ts';
import { clockTime } from '../../sync-server/client/room-link.ts';
import { useSong, usePeers } from '../state/hooks.ts';
import { useJam, useJamRulesKey } from '../jam/JamContext.tsx';
import { guardEdits } from '../jam/rules-guard.ts';
import { colorForName, setLocalUser, setSelectedClip } from '../state/presence.ts';
import type { RoomSession } from '../state/session.ts';
import { ArrangementView } from './arrangement/ArrangementView.tsx';
import { DEFAULT_BAR_PX, zoomed } from './arrangement/geometry.ts';
import { deleteSelected, duplicateAfter, neighbourClip, nudgeClip, toggleLoopOnClip } from './clip-commands.ts';
import { HelpOverlay, NamePrompt } from './Dialogs.tsx';
import { AboutDialog } from '../about/AboutDialog.tsx';
import { createEditRunner, type Notify } from './edit-runner.ts';
import { EditorArea } from './EditorArea.tsx';
import { rememberName } from './identity.ts';
import type { Command } from './keyboard.ts';
import type { PanelProps } from './panel-props.ts';
import { readOnlyViewEdits, type ReadOnlySongView } from './read-only-song.ts';
import { SidePanel } from './SidePanel.tsx';
import { useShortcuts } from './use-shortcuts.ts';
import { TopBar } from './top-bar/TopBar.tsx';

interface AppProps {
  session: RoomSession;
  transport: Transport;
  platform: Platform;
}

interface Notice {
  text: string;
  kind: 'info' | 'error';
}

const NOTICE_MS = 6000;

/** Keyboard commands that change the song: refused while a past moment is shown. */
const EDITING_COMMANDS = new Set<Command>([
  'undo',
  'redo',
  'deleteClip',
  'duplicateClip',
  'nudgeLeft',
  'nudgeRight',
  'nudgeUp',
  'nudgeDown',
  'loopSelection',
]);
const NO_PEERS: ReturnType<typeof usePeers> = [];
const selectNothing = (): void => {};
const isTextField = (el: Element | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA');

export function App({ session, transport, platform }: AppProps) {
  const song = useSong(session.store);
  const peers = usePeers(session.awareness);
  const [selectedClipId, setSelectedClipId] = useState<string | null>(null);
  const [barPx, setBarPx] = useState(DEFAULT_BAR_PX);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [help, setHelp] = useState(false);
  const [about, setAbout] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const noticeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const notify: Notify = useCallback((text, kind = 'info') => {
    setNotice({ text, kind });
    clearTimeout(noticeTimer.current);
    noticeTimer.current = setTimeout(() => setNotice(null), NOTICE_MS);
  }, []);
  // The server would not renew this page's token: say so now, not only when it runs out (4401).
  useEffect(
    () =>
      session.token.subscribe((event) => {
        if (event.type === 'refused') {
          notify(
            `Your access to this room ends at ${clockTime(session.token.claims.exp)}: the server would not renew it (${event.reason}). Ask the host for a new link.`,
            'error',
          );
        }
      }),
    [session, notify],
  );
  // The room's rules (teacher mode, renderer/jam/rules-guard.ts) apply around every edit.
  const jam = useJam();
  const jamRules = useJamRulesKey(jam);
  // biome-ignore lint/correctness/useExhaustiveDependencies: jamRules is listed on purpose: the rules live in the jam session, and a change must build a new runner
  const edits = useMemo(() => {
    const runner = createEditRunner(session.readOnly, notify);
    if (!jam) return runner;
    return guardEdits(
      runner,
      {
        rules: () => jam.getState().rules,
        role: () => jam.getState().me?.role ?? session.link.claims.role,
        // Who this user is: the jam welcome's identity, else the link's token (the same id).
        me: () => {
          const me = jam.getState().me;
          return { id: me?.id ?? session.link.claims.id, name: me?.name ?? session.user.name };
        },
        song: session.store.current,
        undoLast: () => void session.undo.undo(),
        // A track this user adds is theirs (its owner: their identity id, with their name to show).
        setAuthor: (author) => setEditAuthor(session.doc, author),
      },
      notify,
    );
    // jamRules: a new runner (readOnly) when the rules change.
  }, [session, notify, jam, jamRules]);
  // A past moment shown read-only (history panel): the arrangement draws it, and the transport
  // controls play it instead of the live song.
  const [readOnlyView, setReadOnlyView] = useState<ReadOnlySongView | null>(null);
  const readOnlyEdits = useMemo(() => readOnlyViewEdits(notify), [notify]);
  const activeTransport = readOnlyView?.transport ?? transport;

  const selectClip = useCallback(
    (clipId: string | null) => {
      setSelectedClipId(clipId);
      setSelectedClip(session.awareness, clipId);
    },
    [session.awareness],
  );

  // A clip deleted (by anyone, or undone) is no longer selected. Asked of the document, not the
  // snapshot: a clip made a moment ago is in the document a frame before it is in the snapshot.
  // biome-ignore lint/correctness/useExhaustiveDependencies: song.clips is listed on purpose: the document is mutable, so a new snapshot of the clips is the signal to look again
  useEffect(() => {
    if (selectedClipId && !clipsMap(session.doc).has(selectedClipId)) selectClip(null);
  }, [song.clips, selectedClipId, selectClip, session.doc]);

  useEffect(() => {
    document.title = `${song.meta.title} — Riffroom`;
  }, [song.meta.title]);

  /** The song as it is now (the snapshot may be a frame behind the document). */
  const current = session.store.current;

  const runCommand = (command: Command): void => {
    const doc = session.doc;
    const id = selectedClipId;
    if (readOnlyView && EDITING_COMMANDS.has(command)) return void readOnlyEdits.run(() => undefined);
    switch (command) {
      case 'togglePlay':
        return activeTransport.getState().playing ? activeTransport.stop() : activeTransport.play();
      case 'toStart':
        return activeTransport.seek(0);
      case 'undo':
        if (session.readOnly) return;
        if (!session.undo.undo()) notify('Nothing of yours to undo (bandmates undo their own edits).');
        return;
      case 'redo':
        if (session.readOnly) return;
        if (!session.undo.redo()) notify('Nothing to redo.');
        return;
      case 'deleteClip':
        if (id) edits.run(() => deleteSelected(doc, current(), id));
        return;
      case 'duplicateClip': {
        const copy = id ? edits.run(() => duplicateAfter(doc, current(), id)) : undefined;
        if (copy) selectClip(copy);
        return;
      }
      case 'nudgeLeft':
      case 'nudgeRight':
      case 'nudgeUp':
      case 'nudgeDown':
        if (id) edits.run(() => nudgeClip(doc, current(), id, command.slice(5).toLowerCase() as 'left'));
        return;
      case 'selectLeft':
      case 'selectRight':
      case 'selectUp':
      case 'selectDown':
        return selectClip(neighbourClip(current(), id, command.slice(6).toLowerCase() as 'left'));
      case 'deselect':
        setHelp(false);
        return selectClip(null);
      case 'loopSelection':
        return void edits.run(() => toggleLoopOnClip(doc, current(), id));
      case 'zoomIn':
        return setBarPx((px) => zoomed(px, 1));
      case 'zoomOut':
        return setBarPx((px) => zoomed(px, -1));
      case 'help':
        return setHelp((h) => !h);
    }
  };
  useShortcuts(runCommand);
  // The desktop app's menu: Undo/Redo act on the text field that has the focus, else on the song.
  const latestRunCommand = useRef(runCommand);
  latestRunCommand.current = runCommand;
  useEffect(
    () =>
      onAppCommand((command) => {
        if (command === 'undo' || command === 'redo') {
          if (isTextField(document.activeElement)) return void document.execCommand(command);
          return latestRunCommand.current(command);
        }
        if (command === 'show-shortcuts') setHelp(true);
        if (command === 'show-about') setAbout(true);
      }),
    [],
  );

  const panelProps: PanelProps = {
    session,
    song,
    selectedClipId,
    selectClip,
    transport,
    inference: platform.inference,
    files: platform.files,
    edits,
    notify,
    showReadOnlySong: setReadOnlyView,
  };

  return (
    <div className="app" data-testid="app">
      <TopBar
        session={session}
        song={song}
        peers={peers}
        transport={activeTransport}
        files={platform.files}
        desktopSession={platform.desktopSession}
        share={platform.share}
        edits={edits}
        notify={notify}
        selectedClipId={selectedClipId}
        selectClip={selectClip}
        onRename={() => setRenaming(true)}
      />
      <main className={`arrangement-area${readOnlyView ? ' read-only-view' : ''}`} data-view={readOnlyView ? 'read-only' : 'live'}>
        {readOnlyView?.banner}
        <ArrangementView
          key={readOnlyView ? 'read-only' : 'live'}
          session={session}
          song={readOnlyView?.song ?? song}
          peers={readOnlyView ? NO_PEERS : peers}
          transport={activeTransport}
          edits={readOnlyView ? readOnlyEdits : edits}
          notify={notify}
          selectedClipId={readOnlyView ? null : selectedClipId}
          selectClip={readOnlyView ? selectNothing : selectClip}
          barPx={barPx}
          files={platform.files}
        />
      </main>
      <EditorArea {...panelProps} />
      <SidePanel {...panelProps} />
      <footer className="status-line">
        {notice ? (
          <span className={`notice ${notice.kind}`} data-testid="notice" role={notice.kind === 'error' ? 'alert' : 'status'}>
            {notice.text}
          </span>
        ) : (
          <span>
            Double-click a lane to add a clip · Space play/stop ·{' '}
            <button type="button" className="link" onClick={() => setHelp(true)}>
              ? shortcuts
            </button>
          </span>
        )}
        <span className="spacer" />
        <span>
          {song.tracks.length} tracks · {song.clips.length} clips
        </span>
        <span>{session.link.claims.role}</span>
        <button type="button" className="link" data-testid="open-about" onClick={() => setAbout(true)}>
          About
        </button>
      </footer>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
      {about && <AboutDialog onClose={() => setAbout(false)} />}
      {renaming && (
        <NamePrompt
          initial={peers.find((p) => p.isLocal)?.name ?? ''}
          onCancel={() => setRenaming(false)}
          onDone={(name) => {
            rememberName(localStorage, name);
            setLocalUser(session.awareness, { name, color: colorForName(name) });
            setRenaming(false);
          }}
        />
      )}
    </div>
  );
}
