/**
 * The arrangement: tracks × bars. Track headers stay on the left while the bars scroll; the
 * ruler and chord lane stay on top. Clips are made by double-click, moved by drag (also to
 * another track), resized by their right edge, duplicated by Alt-drag; each gesture is one edit
 * on release, shown as a preview meanwhile. Bandmates' selections show in their colours.
 */
import {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent as ReactDragEvent,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import { clipToMidi } from '../../../core/midi/song-midi.ts';
import { addClip, addTrack, duplicateClip, moveClip, resizeClip, setLoop } from '../../../core/song/edits.ts';
import type { Clip, Song, Track, TrackRole } from '../../../core/song/types.ts';
import { ticksPerBar } from '../../../core/time.ts';
import type { Transport } from '../../audio/transport.ts';
import type { FileService } from '../../platform/file-service.ts';
import { useTransportState } from '../../state/hooks.ts';
import { usePlayheadGlide } from '../../state/use-playhead-glide.ts';
import type { Peer } from '../../state/presence.ts';
import type { RoomSession } from '../../state/session.ts';
import type { EditRunner, Notify } from '../edit-runner.ts';
import { BarRuler } from './BarRuler.tsx';
import { ChordLane } from './ChordLane.tsx';
import { changesClip, gestureTarget, type GestureStart, type GestureTarget } from './clip-gesture.ts';
import { barsShown, HEADER_PX, newClipPlacement, ROW_PX } from './geometry.ts';
import { newTrackName, ROLE_COLOR, ROLE_LABEL, TRACK_ROLES } from './roles.ts';
import { TrackHeader } from './TrackHeader.tsx';
import { TrackLane, type ClipPreview } from './TrackLane.tsx';
import { listenToGesture } from '../../editors/window-gesture.ts';

interface ArrangementViewProps {
  session: RoomSession;
  song: Song;
  peers: Peer[];
  transport: Transport;
  edits: EditRunner;
  notify: Notify;
  selectedClipId: string | null;
  selectClip(clipId: string | null): void;
  barPx: number;
  /** Where clips are dragged out to as .mid files (absent, or no dragOut: no drag-out grip). */
  files?: FileService;
  /** A riff dropped from the library on a lane (absent: lanes take no drops). */
  onLibraryDrop?(trackId: string, bar: number, libraryClipId: string): void;
}

interface ActiveGesture {
  start: GestureStart;
  clip: Clip;
  target: GestureTarget;
  duplicate: boolean;
}

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** Alt-drag duplicates; Ctrl-drag too off the Mac, since Linux window managers often take Alt-drag. */
function wantsDuplicate(e: { altKey: boolean; ctrlKey: boolean }): boolean {
  return e.altKey || (!IS_MAC && e.ctrlKey);
}

/**
 * The playhead over the lanes. Its own component, so the arrangement never re-renders for it; it
 * glides bar by bar on a layer of its own (state/use-playhead-glide.ts, arrangement.css): the
 * compositor moves it, the main thread looks once a bar.
 */
const Playhead = memo(function Playhead({ transport, barTicks, barPx }: { transport: Transport; barTicks: number; barPx: number }) {
  const { playing } = useTransportState(transport);
  const ref = useRef<HTMLDivElement>(null);
  const toPx = useCallback((tick: number) => (tick / barTicks) * barPx, [barTicks, barPx]);
  usePlayheadGlide(
    ref,
    transport,
    barTicks,
    useMemo(() => ({ toPx }), [toPx]),
  );
  return <div ref={ref} className={`playhead${playing ? ' playing' : ''}`} data-testid="playhead" />;
});

export function ArrangementView(props: ArrangementViewProps) {
  const { session, song, peers, transport, edits, selectedClipId, selectClip, barPx } = props;
  const libraryDrop = props.onLibraryDrop;
  const onLibraryDrop = useMemo(
    () => libraryDrop && ((track: Track, bar: number, id: string) => libraryDrop(track.id, bar, id)),
    [libraryDrop],
  );
  const doc = session.doc;
  const meter = song.meta.meter;
  const barTicks = ticksPerBar(meter);
  const scroller = useRef<HTMLDivElement>(null);
  const [viewportPx, setViewportPx] = useState(1200);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewportPx(el.clientWidth - HEADER_PX));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const chordEndBar = song.chords.reduce((end, c) => Math.max(end, Math.ceil((c.tick + c.duration) / barTicks)), 0);
  const bars = Math.max(barsShown(song.clips, song.meta.loop?.endBar ?? null, chordEndBar), Math.ceil(viewportPx / barPx));

  const clipsByTrack = useMemo(() => {
    const map = new Map<string, Clip[]>();
    for (const t of song.tracks) map.set(t.id, []);
    for (const c of song.clips) map.get(c.trackId)?.push(c);
    return map;
  }, [song.tracks, song.clips]);

  const peerSelections = useMemo(() => {
    const map = new Map<string, Peer[]>();
    for (const p of peers) {
      if (p.isLocal || !p.selectedClipId) continue;
      map.set(p.selectedClipId, [...(map.get(p.selectedClipId) ?? []), p]);
    }
    return map;
  }, [peers]);

  // ------------------------------------------------------------------------- clip gestures
  const [gesture, setGestureState] = useState<ActiveGesture | null>(null);
  const gestureRef = useRef<ActiveGesture | null>(null);
  // Stable (it touches only the ref and the state setter), so callbacks that list it keep theirs.
  const setGesture = useCallback((g: ActiveGesture | null): void => {
    gestureRef.current = g;
    setGestureState(g);
  }, []);
  // Window listeners read the newest song through a ref (a bandmate may edit mid-drag).
  const songRef = useRef(song);
  songRef.current = song;
  const geometry = { barPx, rowPx: ROW_PX, trackCount: song.tracks.length };
  const geometryRef = useRef(geometry);
  geometryRef.current = geometry;

  const onClipPointerDown = useCallback(
    (e: ReactPointerEvent<HTMLElement>, clip: Clip, kind: 'move' | 'resize') => {
      if (e.button !== 0) return;
      selectClip(clip.id);
      if (edits.readOnly) return;
      e.preventDefault();
      const trackIndex = songRef.current.tracks.findIndex((t) => t.id === clip.trackId);
      const start: GestureStart = {
        kind,
        clipId: clip.id,
        startBar: clip.startBar,
        lengthBars: clip.lengthBars,
        trackIndex,
        x: e.clientX,
        y: e.clientY,
      };
      setGesture({
        start,
        clip,
        target: { startBar: clip.startBar, lengthBars: clip.lengthBars, trackIndex, dragged: false },
        duplicate: wantsDuplicate(e),
      });
    },
    [selectClip, edits.readOnly, setGesture],
  );

  // Drag a clip out of the app (into a DAW, a folder) as a .mid file: the clip as drawn.
  const files = props.files;
  const notifyRef = useRef(props.notify);
  notifyRef.current = props.notify;
  const onClipDragOut = useCallback(
    (e: ReactDragEvent<HTMLElement>, clip: Clip) => {
      if (!files?.dragOut) return;
      const now = songRef.current;
      const trackName = now.tracks.find((t) => t.id === clip.trackId)?.name ?? 'Track';
      let bytes: Uint8Array;
      try {
        bytes = clipToMidi(now, clip.id);
      } catch (error) {
        e.preventDefault();
        return notifyRef.current(`Cannot drag this clip out: ${(error as Error).message}`, 'error');
      }
      files
        .dragOut(e.nativeEvent, { trackName, clipName: clip.name, bytes })
        .catch((error: Error) => notifyRef.current(`Cannot drag this clip out: ${error.message}`, 'error'));
    },
    [files],
  );

  const gestureActive = gesture !== null;
  useEffect(() => {
    if (!gestureActive) return;
    const move = (e: PointerEvent): void => {
      const g = gestureRef.current;
      if (!g) return;
      setGesture({ ...g, target: gestureTarget(g.start, e.clientX, e.clientY, geometryRef.current), duplicate: wantsDuplicate(e) });
    };
    const up = (e: PointerEvent): void => {
      const g = gestureRef.current;
      setGesture(null);
      if (!g) return;
      const target = gestureTarget(g.start, e.clientX, e.clientY, geometryRef.current);
      const duplicate = g.start.kind === 'move' && wantsDuplicate(e);
      if (!changesClip(g.start, target, duplicate)) return;
      const track = songRef.current.tracks[target.trackIndex];
      if (!track) return;
      edits.run(() => {
        if (g.start.kind === 'resize') {
          resizeClip(doc, g.clip.id, target.lengthBars);
        } else if (duplicate) {
          selectClip(duplicateClip(doc, g.clip.id, { startBar: target.startBar, trackId: track.id }));
        } else {
          moveClip(doc, g.clip.id, { startBar: target.startBar, ...(track.id !== g.clip.trackId ? { trackId: track.id } : {}) });
        }
      });
    };
    const cancel = (e: KeyboardEvent | FocusEvent): void => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      setGesture(null);
    };
    return listenToGesture({ move, up, cancel });
  }, [gestureActive, doc, edits, selectClip, setGesture]);

  const preview: ClipPreview | null =
    gesture?.target.dragged && song.tracks[gesture.target.trackIndex]
      ? {
          clip: gesture.clip,
          trackId: song.tracks[gesture.target.trackIndex]!.id,
          startBar: gesture.target.startBar,
          lengthBars: gesture.target.lengthBars,
          duplicate: gesture.duplicate && gesture.start.kind === 'move',
        }
      : null;

  // ----------------------------------------------------------------------------- other edits
  const createClip = useCallback(
    (track: Track, bar: number) => {
      const placement = newClipPlacement(
        bar,
        songRef.current.clips.filter((c) => c.trackId === track.id),
      );
      const id = edits.run(() => addClip(doc, { trackId: track.id, ...placement }));
      if (id) selectClip(id);
    },
    [doc, edits, selectClip],
  );

  const addTrackOf = (role: TrackRole): void => {
    edits.run(() =>
      addTrack(doc, {
        role,
        name: newTrackName(
          role,
          song.tracks.map((t) => t.name),
        ),
      }),
    );
  };

  // Keep the selected clip in view as the keyboard moves it or the selection.
  // biome-ignore lint/correctness/useExhaustiveDependencies: song.clips is listed on purpose: a clip moved by the keyboard is scrolled into view again
  useEffect(() => {
    if (!selectedClipId) return;
    scroller.current
      ?.querySelector(`[data-testid="clip"][data-clip-id="${CSS.escape(selectedClipId)}"]`)
      ?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [selectedClipId, song.clips]);

  const loop = song.meta.loop;
  const lanesHeight = Math.max(song.tracks.length * ROW_PX, 1);

  return (
    <div
      className="arrangement"
      ref={scroller}
      data-testid="arrangement"
      style={{ ['--bar-px' as string]: `${barPx}px`, ['--beat-px' as string]: `${barPx / meter.numerator}px` }}
      onPointerDown={(e) => {
        // A click on empty space deselects (clips and controls stop before this).
        const el = e.target as HTMLElement;
        if (el.classList.contains('lane') || el.classList.contains('lanes') || el === e.currentTarget) selectClip(null);
      }}
    >
      <div className="headers" style={{ width: HEADER_PX }}>
        <div className="corner">
          <strong>Tracks</strong>
          <span className="muted">{song.tracks.length}</span>
        </div>
        <div className="chord-head">Chords</div>
        {song.tracks.map((track) => (
          <TrackHeader key={track.id} doc={doc} track={track} edits={edits} />
        ))}
        <div className="add-track" data-testid="add-track">
          <span className="label">Add a track</span>
          {TRACK_ROLES.map((role) => (
            <button
              type="button"
              key={role}
              data-testid={`add-track-${role}`}
              disabled={edits.readOnly}
              style={{ borderColor: ROLE_COLOR[role] }}
              title={`Add a ${role} track`}
              onClick={() => addTrackOf(role)}
            >
              {ROLE_LABEL[role]}
            </button>
          ))}
        </div>
      </div>
      <div className="timeline" style={{ width: bars * barPx }}>
        <BarRuler
          bars={bars}
          barPx={barPx}
          loop={loop}
          readOnly={edits.readOnly}
          onSeek={(bar) => transport.seek(bar)}
          onLoop={(range) => edits.run(() => setLoop(doc, range))}
        />
        <ChordLane doc={doc} chords={song.chords} bars={bars} barPx={barPx} barTicks={barTicks} edits={edits} notify={props.notify} />
        <div className="lanes" style={{ height: lanesHeight }}>
          {song.tracks.map((track) => (
            <TrackLane
              key={track.id}
              track={track}
              clips={clipsByTrack.get(track.id) ?? []}
              barPx={barPx}
              barTicks={barTicks}
              bars={bars}
              selectedClipId={selectedClipId}
              peerSelections={peerSelections}
              preview={preview}
              readOnly={edits.readOnly}
              onClipPointerDown={onClipPointerDown}
              onCreateClip={createClip}
              onClipDragOut={files?.dragOut ? onClipDragOut : undefined}
              onLibraryDrop={onLibraryDrop}
            />
          ))}
          {loop && <div className="loop-shade" style={{ left: loop.startBar * barPx, width: (loop.endBar - loop.startBar) * barPx }} />}
          <Playhead transport={transport} barTicks={barTicks} barPx={barPx} />
          {song.tracks.length === 0 && (
            <div className="empty-hint" style={{ position: 'absolute', left: 0, top: 0, width: Math.min(bars * barPx, 600), height: 120 }}>
              Add a track on the left (drums, bass, keys…), then double-click its lane to make a clip.
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
