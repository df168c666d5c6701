/**
 * A clip on a lane: its name, a miniature of its notes, its resize edge, who has it selected, and
 * (where the platform can) a grip to drag it out of the app into a DAW as a .mid file.
 */
import { memo, useMemo, type DragEvent as ReactDragEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { Clip, TrackRole } from '../../../core/song/types.ts';
import type { Peer } from '../../state/presence.ts';
import { ROLE_COLOR } from './roles.ts';

interface ClipBlockProps {
  clip: Clip;
  role: TrackRole;
  trackName: string;
  barPx: number;
  barTicks: number;
  selected: boolean;
  /** Bandmates who have this clip selected. */
  peers: Peer[];
  /** Shown where a drag would put it (a ghost), or dimmed while it is being moved away. */
  mode?: 'preview' | 'dragging';
  /** Overrides for the preview. */
  startBar?: number;
  lengthBars?: number;
  onPointerDown?(event: ReactPointerEvent<HTMLElement>, clip: Clip, kind: 'move' | 'resize'): void;
  /** The drag-out grip's dragstart: the clip leaves the app as a MIDI file. No grip without it. */
  onDragOut?(event: ReactDragEvent<HTMLElement>, clip: Clip): void;
}

const MAX_DRAWN_NOTES = 1500;

/**
 * The clip's notes in miniature: one SVG path for all of them (a rectangle each), so a clip of
 * hundreds of notes is one element to create, lay out and hit-test, not hundreds.
 */
function NoteMiniature({ clip, barTicks, lengthBars }: { clip: Clip; barTicks: number; lengthBars: number }) {
  const shape = useMemo(() => {
    const notes = clip.notes.slice(0, MAX_DRAWN_NOTES);
    if (!notes.length) return null;
    let low = 127;
    let high = 0;
    for (const n of notes) {
      low = Math.min(low, n.pitch);
      high = Math.max(high, n.pitch);
    }
    // At least an octave tall, the notes centred in it: a one-note bass line is not a bar code.
    const span = Math.max(12, high - low + 1);
    const pad = (span - (high - low + 1)) / 2;
    const width = lengthBars * barTicks;
    let d = '';
    for (const n of notes) {
      if (n.tick >= width) continue;
      const w = Math.max(n.duration, barTicks / 64);
      d += `M${n.tick} ${high - n.pitch + pad}h${w}v0.8h${-w}z`;
    }
    return { viewBox: `0 0 ${width} ${span}`, d };
  }, [clip.notes, barTicks, lengthBars]);
  if (!shape) return null;
  return (
    <svg className="notes" viewBox={shape.viewBox} preserveAspectRatio="none" aria-hidden="true">
      <path d={shape.d} />
    </svg>
  );
}

export const ClipBlock = memo(function ClipBlock(props: ClipBlockProps) {
  const { clip, role, barPx, selected, peers, mode } = props;
  const startBar = props.startBar ?? clip.startBar;
  const lengthBars = props.lengthBars ?? clip.lengthBars;
  const peer = peers[0];
  const classes = ['clip', selected && 'selected', mode, clip.locked && 'locked', peer && 'peer-selected'].filter(Boolean).join(' ');
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useAriaPropsSupportedByRole: role is 'button' for a real clip, which the label and press describe; a drag preview has no pointer handler
    <div
      className={classes}
      data-testid={mode === 'preview' ? 'clip-preview' : 'clip'}
      data-clip-id={clip.id}
      data-start-bar={startBar}
      data-length-bars={lengthBars}
      data-track-id={clip.trackId}
      data-selected={selected || undefined}
      data-peer-selected={peers.map((p) => p.name).join(',') || undefined}
      role={mode === 'preview' ? undefined : 'button'}
      aria-label={`${clip.name || props.trackName} clip, bars ${startBar + 1} to ${startBar + lengthBars}`}
      aria-pressed={mode === 'preview' ? undefined : selected}
      style={{
        left: startBar * barPx,
        width: Math.max(4, lengthBars * barPx - 1),
        ['--role' as string]: ROLE_COLOR[role],
        ...(peer ? { ['--peer' as string]: peer.color } : {}),
      }}
      onPointerDown={props.onPointerDown && ((e) => props.onPointerDown!(e, clip, 'move'))}
      onDoubleClick={(e) => e.stopPropagation()}
    >
      <span className="clip-name">{clip.name || props.trackName}</span>
      <NoteMiniature clip={clip} barTicks={props.barTicks} lengthBars={lengthBars} />
      {peers.length > 0 && (
        <span
          className="peer-tag"
          data-testid="peer-tag"
          style={{ background: peer!.color }}
          title={`Selected by ${peers.map((p) => p.name).join(', ')}`}
        >
          {peers.map((p) => p.name).join(', ')}
        </span>
      )}
      {mode !== 'preview' && props.onDragOut && (
        // biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useAriaPropsSupportedByRole: a pointer-only drag source: dragging a file out to the system has no keyboard form; the handlers stop the clip gesture, the label names the grip
        <span
          className="drag-out-handle"
          data-testid="clip-drag-out"
          draggable
          title="Drag into your DAW or a folder as a MIDI file"
          aria-label={`Drag ${clip.name || props.trackName} out as a MIDI file`}
          // Not a move of the clip: the browser's own drag takes over from here.
          onPointerDown={(e) => e.stopPropagation()}
          onDragStart={(e) => {
            e.stopPropagation();
            props.onDragOut!(e, clip);
          }}
        >
          <svg viewBox="0 0 8 12" aria-hidden="true">
            <path d="M1 1h2v2H1zM5 1h2v2H5zM1 5h2v2H1zM5 5h2v2H5zM1 9h2v2H1zM5 9h2v2H5z" />
          </svg>
        </span>
      )}
      {mode !== 'preview' && props.onPointerDown && (
        <span
          className="resize-handle"
          data-testid="clip-resize"
          title="Drag to resize"
          onPointerDown={(e) => {
            e.stopPropagation();
            props.onPointerDown!(e, clip, 'resize');
          }}
        />
      )}
    </div>
  );
});
