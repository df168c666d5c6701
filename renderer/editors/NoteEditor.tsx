/**
 * The clip editor proper, one component for both faces: the piano roll (rows are the 128
 * pitches, a keyboard on the left) and the drum grid (rows are kit pieces, clicks toggle hits).
 * It owns the view's state (tool, grid, zoom, selection, paste position), turns pointer presses
 * into gestures (note-gesture.ts, use-note-gesture.ts) and keys into commands (editor-keys.ts);
 * what those do to the song is editor-actions.ts, one labelled edit each.
 *
 * Keys act only while the editor has the focus (a press in it takes the focus); the keys it uses
 * are marked handled, so the window's shortcuts (app/use-shortcuts.ts) leave them alone.
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import { setClipLocked } from '../../core/song/edits.ts';
import type { Note, NoteInput } from '../../core/song/types.ts';
import { TICKS_PER_QUARTER, ticksPerBar, type Ticks } from '../../core/time.ts';
import type { AuditionRequest } from '../audio/contract.ts';
import { chordsUnderClip } from './clip-chords.ts';
import type { ClipEditorProps } from './ClipEditor.tsx';
import { noteClipboard } from './clipboard.ts';
import { hitInCell } from './drawing.ts';
import { drumName, drumRows } from './drum-kit.ts';
import { DrumRowLabels } from './DrumRowLabels.tsx';
import { finishGesture, runEditorCommand, type ActionResult, type EditorEnv } from './editor-actions.ts';
import { editorCommandForKey } from './editor-keys.ts';
import { EditorPlayhead } from './EditorPlayhead.tsx';
import { EditorRuler } from './EditorRuler.tsx';
import { EditorToolbar } from './EditorToolbar.tsx';
import { DEFAULT_GRID, cellOf, gridTicks, snapDown, type GridChoice } from './grid.ts';
import { GridBackground } from './GridBackground.tsx';
import { noteAt, velocityBarAt, type NoteHit } from './hit-test.ts';
import { fitQuarterPx, gridHeight, yToRow, zoomedQuarterPx, type GridLayout } from './layout.ts';
import { DRUM_LABELS_PX, DRUM_ROW_PX, PIANO_KEYS_PX, PIANO_ROW_PX, RULER_PX, VELOCITY_LANE_PX } from './metrics.ts';
import { NoteBlocks } from './NoteBlocks.tsx';
import { canEditClip, isSelectable } from './note-locks.ts';
import { startGesture, type GestureContext, type GestureOutcome, type GestureStart, type Tool } from './note-gesture.ts';
import { PianoKeys } from './PianoKeys.tsx';
import { PIANO_ROWS, pitchName } from './rows.ts';
import { EMPTY_SELECTION, pruneSelection, selectOnPointerDown, type Selection } from './selection.ts';
import { useNoteGesture } from './use-note-gesture.ts';
import { DEFAULT_VELOCITY } from './velocity.ts';
import { VelocityLane } from './VelocityLane.tsx';

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** Keys typed into the toolbar's fields stay there. */
function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

/** What a gesture shows while it runs: notes at their new places, new velocities, ghosts, a band. */
function previewNotes(notes: readonly Note[], outcome: GestureOutcome | undefined): readonly Note[] {
  if (!outcome) return notes;
  if (outcome.kind === 'move' || outcome.kind === 'resize') {
    const moved = new Map(outcome.preview.map((n) => [n.id, n]));
    return notes.map((n) => moved.get(n.id) ?? n);
  }
  if (outcome.kind === 'velocity') {
    const changed = new Map(outcome.patches.map((p) => [p.id, p.velocity]));
    return notes.map((n) => (changed.has(n.id) ? { ...n, velocity: changed.get(n.id)! } : n));
  }
  return notes;
}

export function NoteEditor(props: ClipEditorProps & { drums: boolean }) {
  const { clip, track, song, session, edits, notify, transport, drums } = props;
  const doc = session.doc;
  const meter = song.meta.meter;
  const barTicks = ticksPerBar(meter);
  const clipTicks = clip.lengthBars * barTicks;

  const [tool, setTool] = useState<Tool>('draw');
  const [grid, setGrid] = useState<GridChoice>(DEFAULT_GRID);
  const [strength, setStrength] = useState(100);
  const [zoom, setZoom] = useState<number | null>(null);
  const [storedSelection, setStoredSelection] = useState<Selection>(EMPTY_SELECTION);
  const [cursor, setCursor] = useState<Ticks | null>(null);
  const [velocity, setVelocity] = useState(DEFAULT_VELOCITY);
  const [viewportPx, setViewportPx] = useState(900);
  const rootRef = useRef<HTMLDivElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const laneRef = useRef<HTMLDivElement>(null);
  const shiftAtPress = useRef(false);

  // A new clip starts with nothing selected, no paste position, and fitted to the view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: clip.id is the trigger: opening another clip resets the selection, cursor and zoom
  useEffect(() => {
    setStoredSelection(EMPTY_SELECTION);
    setCursor(null);
    setZoom(null);
  }, [clip.id]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewportPx(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const editable = canEditClip(clip, edits.readOnly);
  // Stored ids may name notes that are not in this snapshot yet (just drawn) or any more
  // (deleted by a bandmate): the selection shown is the stored one cut to what exists.
  const selection = useMemo(() => pruneSelection(storedSelection, clip.notes, isSelectable), [storedSelection, clip.notes]);

  const step = gridTicks(grid);
  const labelsPx = drums ? DRUM_LABELS_PX : PIANO_KEYS_PX;
  const rows = useMemo(() => (drums ? drumRows(clip.notes.map((n) => n.pitch)) : PIANO_ROWS), [drums, clip.notes]);
  const quarterPx = zoom ?? fitQuarterPx(viewportPx - labelsPx - 16, clipTicks, TICKS_PER_QUARTER);
  const layout: GridLayout = useMemo(
    () => ({ tickPx: quarterPx / TICKS_PER_QUARTER, rowPx: drums ? DRUM_ROW_PX : PIANO_ROW_PX, rows }),
    [quarterPx, drums, rows],
  );
  const lastEnd = clip.notes.reduce((end, n) => Math.max(end, n.tick + n.duration), 0);
  const displayTicks = Math.max(clipTicks, Math.ceil(lastEnd / barTicks) * barTicks);
  const gridWidth = displayTicks * layout.tickPx;
  const clipStart = clip.startBar * barTicks;
  const chords = useMemo(() => chordsUnderClip(song.chords, clipStart, clipTicks), [song.chords, clipStart, clipTicks]);

  // The piano roll opens on the clip's notes (or middle C), not on the top octave.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when another clip opens, not on every edit of its notes (an edit must not scroll the view)
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || drums) return;
    const pitches = clip.notes.map((n) => n.pitch);
    const centre = pitches.length ? (Math.min(...pitches) + Math.max(...pitches)) / 2 : 66;
    el.scrollTop = Math.max(0, (127 - centre) * PIANO_ROW_PX + RULER_PX - (el.clientHeight - VELOCITY_LANE_PX) / 2);
    // Only when another clip is opened: later edits must not scroll the view.
  }, [clip.id, drums]);

  const audition = useCallback(
    (pitch: number, noteVelocity = DEFAULT_VELOCITY) => {
      const play = (transport as { audition?: (request: AuditionRequest) => unknown }).audition;
      if (typeof play !== 'function' || !track) return;
      play.call(transport, {
        role: track.role,
        instrument: track.instrument,
        notes: [{ pitch, tick: 0, duration: drums ? 120 : 360, velocity: noteVelocity }],
        bars: 1,
        volumeDb: Math.min(0, track.volumeDb),
      });
    },
    [transport, track, drums],
  );

  const refuse = useCallback(() => {
    if (edits.readOnly) edits.run(() => undefined);
    else notify('This clip is locked: its notes can be selected and copied; unlock it (the Locked button) to change them.', 'error');
  }, [edits, notify]);

  /** Everything the actions need, read fresh: the snapshot flushed, so a key right after an edit sees it. */
  const latest = useRef({ clip, rows, layout, step, barTicks, strength, cursor, velocity, editable, storedSelection });
  latest.current = { clip, rows, layout, step, barTicks, strength, cursor, velocity, editable, storedSelection };
  const env = (): EditorEnv => {
    const l = latest.current;
    const clipNow = session.store.current().clips.find((c) => c.id === l.clip.id) ?? l.clip;
    return {
      doc,
      clip: clipNow,
      rows: l.rows,
      drums,
      step: l.step,
      barTicks: l.barTicks,
      strength: l.strength / 100,
      selection: pruneSelection(l.storedSelection, clipNow.notes, isSelectable),
      cursor: l.cursor,
      clipboard: noteClipboard,
      editable: l.editable,
      canSelect: isSelectable,
      run: edits.run,
      notify,
      refuse,
    };
  };
  const apply = (result: ActionResult): void => {
    if (result.selection) setStoredSelection(result.selection);
    if (result.cursor !== undefined) setCursor(result.cursor);
    if (result.velocity !== undefined) setVelocity(result.velocity);
  };

  const gestureContext = (): GestureContext => {
    const l = latest.current;
    return {
      layout: l.layout,
      step: l.step,
      clipTicks: l.clip.lengthBars * l.barTicks,
      notes: l.clip.notes,
      editable: l.clip.notes.filter(isSelectable),
      selection: pruneSelection(l.storedSelection, l.clip.notes, isSelectable),
      velocity: l.velocity,
    };
  };
  const gesture = useNoteGesture(gestureContext, (_start: GestureStart, outcome: GestureOutcome) =>
    apply(finishGesture(outcome, shiftAtPress.current, env())),
  );

  const focusEditor = (): void => rootRef.current?.focus({ preventScroll: true });
  const pointIn = (el: HTMLElement, e: ReactPointerEvent): { x: number; y: number } => {
    const r = el.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const onGridPointerDown = (e: ReactPointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0 || !gridRef.current) return;
    e.preventDefault();
    focusEditor();
    const { x, y } = pointIn(gridRef.current, e);
    const pitch = rows.pitches[yToRow(layout, y)] ?? null;
    let hit: NoteHit | null = noteAt(clip.notes, layout, x, y);
    if (!hit && drums && pitch !== null) {
      // A drum cell is one target: a click anywhere in a cell that holds a hit finds the hit.
      const inCell = hitInCell(clip.notes, pitch, cellOf(x / layout.tickPx, step).start, step);
      if (inCell) hit = { note: inCell, part: 'body' };
    }
    shiftAtPress.current = e.shiftKey;
    let pressed = selection;
    if (hit && isSelectable(hit.note)) {
      pressed = selectOnPointerDown(selection, hit.note.id, e.shiftKey);
      setStoredSelection(pressed);
    }
    // A locked clip (or a viewer): notes can be selected (to copy them), nothing else.
    if (!editable) {
      if (hit && isSelectable(hit.note) && !e.shiftKey) setStoredSelection(new Set([hit.note.id]));
      refuse();
      return;
    }
    const start = startGesture(hit, x, y, pitch, layout, {
      tool,
      shift: e.shiftKey,
      drums,
      selection: pressed,
      notes: clip.notes,
      canEdit: isSelectable,
    });
    if (!start) {
      if (hit) notify('That note is locked.', 'error');
      return;
    }
    if (start.kind === 'draw' || start.kind === 'paint') audition(start.pitch, velocity);
    gesture.begin(start, gridRef.current, e.altKey);
  };

  const onLanePointerDown = (e: ReactPointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0 || !laneRef.current) return;
    e.preventDefault();
    focusEditor();
    if (!editable) {
      refuse();
      return;
    }
    const { x, y } = pointIn(laneRef.current, e);
    const anchor = velocityBarAt(clip.notes.filter(isSelectable), layout, x, selection);
    if (!anchor) return;
    shiftAtPress.current = e.shiftKey;
    gesture.begin({ kind: 'velocity', x, y, anchor, laneHeight: VELOCITY_LANE_PX }, laneRef.current, false);
  };

  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>): void => {
    if (e.defaultPrevented || isTypingTarget(e.target)) return;
    const key = editorCommandForKey(e, IS_MAC);
    if (!key) return;
    // Escape with nothing selected is the window's: it deselects the clip.
    if (key.command === 'deselect' && selection.size === 0) return;
    e.preventDefault();
    if (key.command === 'zoomIn' || key.command === 'zoomOut')
      return setZoom(zoomedQuarterPx(quarterPx, key.command === 'zoomIn' ? 1 : -1));
    if (key.command === 'toggleTool') return setTool((t) => (t === 'draw' ? 'select' : 'draw'));
    apply(runEditorCommand(key.command, key.big, env()));
  };

  const outcome = gesture.active?.outcome;
  const shown = previewNotes(clip.notes, outcome);
  const shownSelection = outcome?.kind === 'band' ? outcome.selection : selection;
  const ghosts: readonly NoteInput[] = outcome?.kind === 'draw' ? outcome.notes : [];
  const band = outcome?.kind === 'band' ? outcome.rect : null;
  const lit = useMemo(() => new Set(clip.notes.filter((n) => selection.has(n.id)).map((n) => n.pitch)), [clip.notes, selection]);
  const height = gridHeight(layout);
  const nameOf = drums ? drumName : pitchName;

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useAriaPropsSupportedByRole: the editor is one keyboard surface: it takes the focus so its note shortcuts (arrows, Delete, copy and paste) reach it, and the label names it
    <div
      className={`note-editor${drums ? ' drums' : ' piano'}${clip.locked ? ' locked' : ''}`}
      ref={rootRef}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the editor takes the focus so its keyboard shortcuts reach it
      tabIndex={0}
      data-testid="clip-editor"
      data-clip-id={clip.id}
      data-kind={drums ? 'drums' : 'piano'}
      data-locked={clip.locked || undefined}
      aria-label={`${drums ? 'Drum grid' : 'Piano roll'} of ${clip.name || track?.name || 'the clip'}`}
      onKeyDown={onKeyDown}
    >
      <EditorToolbar
        drums={drums}
        tool={tool}
        onTool={setTool}
        grid={grid}
        onGrid={setGrid}
        strength={strength}
        onStrength={setStrength}
        onQuantize={() => apply(runEditorCommand('quantize', false, env()))}
        onZoom={(d) => setZoom(zoomedQuarterPx(quarterPx, d))}
        locked={clip.locked}
        readOnly={edits.readOnly}
        onToggleLock={() => edits.run(() => setClipLocked(doc, clip.id, !clip.locked))}
        selectedCount={selection.size}
        noteCount={clip.notes.length}
      />
      <div className="editor-scroll" ref={scrollRef}>
        <div
          className="editor-canvas"
          style={{
            gridTemplateColumns: `${labelsPx}px ${gridWidth}px`,
            gridTemplateRows: `${RULER_PX}px ${height}px ${VELOCITY_LANE_PX}px`,
          }}
        >
          <div className="editor-corner">{drums ? 'Kit' : ''}</div>
          <EditorRuler
            tickPx={layout.tickPx}
            barTicks={barTicks}
            displayTicks={displayTicks}
            firstBar={clip.startBar}
            chords={chords}
            cursor={cursor}
            onSetCursor={(x) => setCursor(Math.min(snapDown(Math.max(0, x / layout.tickPx), step), snapDown(clipTicks - 1, step)))}
          />
          {drums ? (
            <DrumRowLabels rows={rows} rowPx={layout.rowPx} onAudition={audition} />
          ) : (
            <PianoKeys rows={rows} rowPx={layout.rowPx} lit={lit} onAudition={audition} />
          )}
          <div
            className={`note-grid tool-${tool}`}
            ref={gridRef}
            data-testid="note-grid"
            data-tick-px={layout.tickPx}
            data-row-px={layout.rowPx}
            data-step={step}
            data-clip-ticks={clipTicks}
            style={{ width: gridWidth, height }}
            onPointerDown={onGridPointerDown}
          >
            <GridBackground
              layout={layout}
              meter={meter}
              step={step}
              displayTicks={displayTicks}
              clipTicks={clipTicks}
              chords={chords}
              drums={drums}
            />
            <NoteBlocks
              notes={shown}
              layout={layout}
              selection={shownSelection}
              clipLocked={clip.locked}
              clipTicks={clipTicks}
              ghosts={ghosts}
              nameOf={nameOf}
            />
            {band && (
              <div
                className="rubber-band"
                data-testid="rubber-band"
                style={{ left: band.x, top: band.y, width: band.width, height: band.height }}
              />
            )}
            <EditorPlayhead
              transport={transport}
              barTicks={barTicks}
              clipStartBar={clip.startBar}
              clipTicks={clipTicks}
              tickPx={layout.tickPx}
            />
            {clip.notes.length === 0 && !clip.locked && (
              <div className="grid-hint">
                {drums
                  ? 'Click a cell to add a hit; drag along a row to paint several.'
                  : 'Click to draw a note of the grid length; drag right to draw a longer one.'}
              </div>
            )}
          </div>
          <div className="velocity-corner" title="Velocity: drag a bar">
            Vel
          </div>
          <VelocityLane
            laneRef={laneRef}
            notes={shown}
            tickPx={layout.tickPx}
            width={gridWidth}
            height={VELOCITY_LANE_PX}
            selection={shownSelection}
            onPointerDown={onLanePointerDown}
          />
        </div>
      </div>
    </div>
  );
}
