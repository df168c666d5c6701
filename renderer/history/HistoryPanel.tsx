/**
 * The side panel's "History" tab: every checkpoint of the room, newest first and live; click one
 * to see and hear the song as it was (read-only in the arrangement, with a banner to restore it
 * for everyone or go back to now); replay the session's evolution; name moments (bookmarks).
 *
 * Server access: history-api.ts. The timeline: use-timeline.ts + timeline-store.ts. A past moment:
 * GET /state?at= read by snapshot-song.ts, heard through use-past-transport.ts. Replay:
 * use-replay.ts. The arrangement shows the past through PanelProps.showReadOnlySong
 * (app/read-only-song.ts); the banner is Banner.tsx.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Song } from '../../core/song/types.ts';
import type { PanelProps } from '../app/panel-props.ts';
import type { Transport } from '../audio/transport.ts';
import { usePeers } from '../state/hooks.ts';
import { useJam, useJamRulesKey } from '../jam/JamContext.tsx';
import { takeBackRefusal, wholeWriteRefusal } from '../../core/jam/student-rules.ts';
import { colorForName } from '../state/presence.ts';
import { HistoryBanner, type BannerProps } from './Banner.tsx';
import { BookmarkForm } from './BookmarkForm.tsx';
import { announceBookmarkAdded } from './bookmark-signal.ts';
import { formatTime } from './format.ts';
import { PlayIcon } from '../app/Icons.tsx';
import { FlagIcon } from './icons.tsx';
import { groupEntries } from './group-entries.ts';
import { createHistoryApi, describeApiError } from './history-api.ts';
import { createLatestValue } from './latest-value.ts';
import { Timeline } from './Timeline.tsx';
import { usePastTransport } from './use-past-transport.ts';
import { usePastView } from './use-past-view.ts';
import { useReplay } from './use-replay.ts';
import { useTimeline } from './use-timeline.ts';
import { takeBackChoices, type TakeBackChoice } from './take-back-choices.ts';

const VIEWER_RESTORE = 'Viewers cannot restore: ask the host for an editor link.';
const VIEWER_TAKE_BACK = 'Viewers cannot take back edits: ask the host for an editor link.';
const VIEWER_BOOKMARK = 'Viewers cannot name moments: ask the host for an editor link.';

export function HistoryPanel(props: PanelProps) {
  const { session, transport, notify, showReadOnlySong, selectClip } = props;
  const link = session.link;
  // The token is read at each request: the page renews it as the session goes on.
  const api = useMemo(
    () => createHistoryApi({ httpUrl: link.httpUrl, room: link.room, token: () => session.token.token }),
    [link, session],
  );
  const panel = useRef<HTMLDivElement>(null);
  const { store, state } = useTimeline(api, session, panel);
  const peers = usePeers(session.awareness);
  const replay = useReplay(api);
  const pastAudio = usePastTransport(transport);
  const readOnlyRole = session.readOnly;
  // The teacher's rules: under 'live-only' a student neither restores nor names moments, under
  // 'own-track' does not restore (the server refuses them too; here the buttons say why first).
  const jam = useJam();
  const rulesKey = useJamRulesKey(jam);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rulesKey is listed on purpose: the rules live in the jam session, and a change must recompute the refusals
  const ruleRefusals = useMemo(() => {
    const view = jam?.getState();
    const role = view?.me?.role;
    if (!view || !role) return { restore: null, bookmark: null, takeBack: null };
    const sentence = (reason: string | null) => reason && `${reason[0]!.toUpperCase()}${reason.slice(1)}.`;
    const refusal = (write: 'restore' | 'bookmark') => sentence(wholeWriteRefusal(view.rules, role, write));
    return { restore: refusal('restore'), bookmark: refusal('bookmark'), takeBack: sentence(takeBackRefusal(view.rules, role)) };
  }, [jam, rulesKey]);

  // ---------------------------------------------------------------- the moment being viewed
  const past = usePastView(api, notify);
  const replayOn = replay.status.kind !== 'off';
  const replayShown = replay.status.kind === 'ready' ? replay.song : null;

  const backToNow = useCallback(() => {
    replay.close();
    past.clear();
  }, [replay.close, past.clear]);

  const view = useCallback(
    (seq: number) => {
      if (replayOn) replay.close();
      past.view(seq);
    },
    [replayOn, replay.close, past.view],
  );

  // ------------------------------------------------------------------------- restore, bookmarks
  const [restoring, setRestoring] = useState(false);
  const [highlightSeq, setHighlightSeq] = useState<number | null>(null);

  const restore = useCallback(
    (seq: number) => {
      setRestoring(true);
      store.restore(seq).then(
        (restored) => {
          setRestoring(false);
          setHighlightSeq(restored);
          backToNow();
          notify(`Restored the song as it was after #${seq}, for everyone (new edit #${restored}).`);
        },
        (error: unknown) => {
          setRestoring(false);
          notify(describeApiError(error), 'error');
        },
      );
    },
    [store, backToNow, notify],
  );

  const [takingBack, setTakingBack] = useState(false);
  const takeBack = useCallback(
    (choice: TakeBackChoice) => {
      setTakingBack(true);
      store.takeBack(choice.source).then(
        (done) => {
          setTakingBack(false);
          setHighlightSeq(done.seq);
          backToNow();
          notify(`Took back ${choice.label}, for everyone (new edit #${done.seq}; take it back to undo).`);
        },
        (error: unknown) => {
          setTakingBack(false);
          notify(describeApiError(error), 'error');
        },
      );
    },
    [store, backToNow, notify],
  );

  const addBookmark = useCallback(
    async (seq: number, name: string): Promise<boolean> => {
      try {
        await store.addBookmark(seq, name);
        announceBookmarkAdded(session.awareness);
        notify(`Named #${seq} "${name}".`);
        return true;
      } catch (error) {
        notify(describeApiError(error), 'error');
        return false;
      }
    },
    [store, session.awareness, notify],
  );

  // ------------------------------------------------------------ what the arrangement shows
  // A replay once it is loaded; until then (and after it) the past moment, if one is viewed.
  const shownSong: Song | null = replayShown ?? past.shown?.song ?? null;
  const [viewTransport, setViewTransport] = useState<Transport | null>(null);
  const banner = useMemo(() => createLatestValue<BannerProps | null>(null), []);
  const bannerElement = useMemo(() => <HistoryBanner source={banner} />, [banner]);
  const showing = useRef(false);

  useEffect(() => {
    if (!shownSong) {
      if (showing.current) {
        showReadOnlySong(null);
        pastAudio.stop();
        showing.current = false;
      }
      return;
    }
    // The top bar drives the past transport while the past is shown: the live song stops, and
    // the live selection goes (the clip editor would otherwise edit now beside a past view).
    if (!showing.current) {
      transport.stop();
      selectClip(null);
    }
    showing.current = true;
    const pastTransport = pastAudio.transportFor(shownSong);
    setViewTransport(pastTransport);
    showReadOnlySong({ song: shownSong, banner: bannerElement, transport: pastTransport });
  }, [shownSong, bannerElement, showReadOnlySong, pastAudio, transport, selectClip]);

  // Closing the room (or the panel) takes the past off the screen.
  useEffect(() => () => showReadOnlySong(null), [showReadOnlySong]);

  const common = {
    transport: viewTransport,
    facts: shownSong ? `“${shownSong.meta.title}” · ${shownSong.meta.bpm} BPM` : '',
    restoreRefusal: readOnlyRole ? VIEWER_RESTORE : ruleRefusals.restore,
    restoring,
    onRestore: restore,
    onBack: backToNow,
  };
  const bannerProps: BannerProps | null = replayShown
    ? {
        ...common,
        kind: 'replay',
        step: replay.step,
        steps: replay.steps,
        entry: replay.entry,
        playing: replay.playing,
        speed: replay.speed,
        duration: replay.duration,
        onPlay: replay.play,
        onPause: replay.pause,
        onSpeed: replay.setSpeed,
        onSeek: replay.seek,
      }
    : past.shown
      ? {
          ...common,
          kind: 'past',
          seq: past.shown.seq,
          entry: store.entry(past.shown.seq),
          loadingSeq: past.seq !== null && past.seq !== past.shown.seq && !past.error ? past.seq : null,
          error: past.error,
          takeBack: {
            choices: takeBackChoices(state.entries, past.shown.seq),
            refusal: readOnlyRole ? VIEWER_TAKE_BACK : ruleRefusals.takeBack,
            busy: takingBack,
            onTakeBack: takeBack,
          },
        }
      : null;
  // Every render: the banner lives in the app's tree and follows this panel's state.
  useLayoutEffect(() => banner.set(bannerProps));

  // ----------------------------------------------------------------------------- the timeline
  const bookmarkedSeqs = useMemo(() => new Set(state.bookmarks.map((b) => b.seq)), [state.bookmarks]);
  const items = useMemo(() => groupEntries(state.entries, bookmarkedSeqs), [state.entries, bookmarkedSeqs]);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const toggleGroup = useCallback((key: number) => {
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  }, []);
  const peerColors = useMemo(() => new Map(peers.map((p) => [p.name, p.color])), [peers]);
  const colorFor = useCallback((author: string) => peerColors.get(author) ?? colorForName(author), [peerColors]);

  const markedSeq = replayShown ? (replay.entry?.seq ?? null) : past.seq;
  const bookmarkSeq = markedSeq ?? state.lastSeq;
  const sortedBookmarks = useMemo(() => [...state.bookmarks].sort((a, b) => b.seq - a.seq), [state.bookmarks]);

  // Older pages load when the end of the list scrolls into sight.
  const olderSentinel = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: state.hasOlder is listed on purpose: the sentinel element mounts and unmounts with it, and the new one must be observed
  useEffect(() => {
    const el = olderSentinel.current;
    if (!el || typeof IntersectionObserver !== 'function') return;
    const observer = new IntersectionObserver((records) => {
      if (records.some((r) => r.isIntersecting)) void store.loadOlder();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [store, state.hasOlder]);

  return (
    <div className="history-panel" data-testid="history-panel" ref={panel}>
      <div className="history-head">
        <div className="history-title">
          <strong>History</strong>
          <span className="muted" data-testid="history-count">
            {state.lastSeq} edits
          </span>
          <span className="spacer" />
          <button
            type="button"
            data-testid="replay"
            className={replayOn ? 'active' : ''}
            disabled={state.lastSeq === 0 || replay.status.kind === 'loading'}
            title="Replay the session from its first edit, at its own pace (1×, 4×, 16×)"
            onClick={() => (replayOn && replay.status.kind === 'ready' ? replay.close() : replay.start())}
          >
            {replay.status.kind === 'loading' ? (
              `Loading ${Math.round(replay.status.progress * 100)}%`
            ) : replayOn ? (
              'Stop replay'
            ) : (
              <>
                <PlayIcon /> Replay
              </>
            )}
          </button>
        </div>
        {replay.status.kind === 'error' && (
          <div className="history-error" role="alert">
            Replay failed: {replay.status.message}
          </div>
        )}
        <BookmarkForm seq={bookmarkSeq} refusal={readOnlyRole ? VIEWER_BOOKMARK : ruleRefusals.bookmark} onAdd={addBookmark} />
        {sortedBookmarks.length > 0 && (
          <div className="bookmark-chips" role="group" aria-label="Named moments">
            {sortedBookmarks.map((b) => (
              <button
                type="button"
                key={`${b.seq}-${b.name}-${b.time}`}
                className={`chip${markedSeq === b.seq ? ' active' : ''}`}
                data-testid="bookmark-chip"
                data-seq={b.seq}
                data-name={b.name}
                title={`#${b.seq}, named by ${b.author} at ${formatTime(b.time)}`}
                onClick={() => view(b.seq)}
              >
                <FlagIcon /> {b.name}
              </button>
            ))}
          </div>
        )}
        {state.error && (
          <div className="history-error" data-testid="history-error" role="alert">
            {state.error}
          </div>
        )}
      </div>
      <div className="history-scroll">
        {!state.loaded ? (
          <div className="empty-hint">Loading the history…</div>
        ) : (
          <>
            <Timeline
              items={items}
              entries={state.entries}
              bookmarks={state.bookmarks}
              viewedSeq={markedSeq}
              highlightSeq={highlightSeq}
              expanded={expanded}
              colorFor={colorFor}
              onView={view}
              onNow={backToNow}
              onToggleGroup={toggleGroup}
            />
            {state.entries.length === 0 && (
              <div className="empty-hint">
                No edits yet. Every change anyone makes will be here, and can be heard, restored or replayed.
              </div>
            )}
            {state.hasOlder && (
              <div className="history-older" ref={olderSentinel}>
                <button type="button" data-testid="history-older" disabled={state.loadingOlder} onClick={() => void store.loadOlder()}>
                  {state.loadingOlder ? 'Loading…' : `Older edits (#1–#${(state.entries.at(-1)?.seq ?? 1) - 1})`}
                </button>
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}
