/** One track's lane of bars with its clips; a double-click on empty space makes a new clip. */
import { memo, type DragEvent as ReactDragEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { Clip, Track } from '../../../core/song/types.ts';
import type { Peer } from '../../state/presence.ts';
import { ClipBlock } from './ClipBlock.tsx';

export interface ClipPreview {
  clip: Clip;
  trackId: string;
  startBar: number;
  lengthBars: number;
  /** Alt-drag: the original stays where it is. */
  duplicate: boolean;
}

interface TrackLaneProps {
  track: Track;
  clips: Clip[];
  barPx: number;
  barTicks: number;
  bars: number;
  selectedClipId: string | null;
  peerSelections: ReadonlyMap<string, Peer[]>;
  preview: ClipPreview | null;
  readOnly: boolean;
  onClipPointerDown(event: ReactPointerEvent<HTMLElement>, clip: Clip, kind: 'move' | 'resize'): void;
  onCreateClip(track: Track, bar: number): void;
  /** Drag a clip out of the app as a .mid file (absent: no drag-out grip). */
  onClipDragOut?(event: ReactDragEvent<HTMLElement>, clip: Clip): void;
  /** A riff dropped from the library on this lane at `bar` (absent: the lane takes no drops). */
  onLibraryDrop?(track: Track, bar: number, libraryClipId: string): void;
}

import { droppedLibraryClip, dropBar, isLibraryDrag } from '../../library/library-drag.ts';

const NO_PEERS: Peer[] = [];

export const TrackLane = memo(function TrackLane(props: TrackLaneProps) {
  const { track, clips, barPx, preview } = props;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a double-click on empty lane space makes a clip at the pointer; the keyboard copies clips with Mod+D
    <div
      className={`lane${preview && preview.trackId === track.id ? ' drop-target' : ''}`}
      data-testid="lane"
      data-track-id={track.id}
      style={{ width: props.bars * barPx }}
      title={props.readOnly ? undefined : 'Double-click to add a clip'}
      onDoubleClick={(e) => {
        if (e.target !== e.currentTarget || props.readOnly) return;
        props.onCreateClip(track, (e.clientX - e.currentTarget.getBoundingClientRect().left) / barPx);
      }}
      onDragOver={(e) => {
        if (!props.onLibraryDrop || props.readOnly || !isLibraryDrag(e.dataTransfer)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDrop={(e) => {
        const id = props.onLibraryDrop && !props.readOnly ? droppedLibraryClip(e.dataTransfer) : null;
        if (!id) return;
        e.preventDefault();
        props.onLibraryDrop!(track, dropBar(e.clientX - e.currentTarget.getBoundingClientRect().left, barPx), id);
      }}
    >
      {clips.map((clip) => (
        <ClipBlock
          key={clip.id}
          clip={clip}
          role={track.role}
          trackName={track.name}
          barPx={barPx}
          barTicks={props.barTicks}
          selected={clip.id === props.selectedClipId}
          peers={props.peerSelections.get(clip.id) ?? NO_PEERS}
          mode={preview && !preview.duplicate && preview.clip.id === clip.id ? 'dragging' : undefined}
          onPointerDown={props.onClipPointerDown}
          onDragOut={props.onClipDragOut}
        />
      ))}
      {preview && preview.trackId === track.id && (
        <ClipBlock
          clip={preview.clip}
          role={track.role}
          trackName={track.name}
          barPx={barPx}
          barTicks={props.barTicks}
          selected={false}
          peers={NO_PEERS}
          mode="preview"
          startBar={preview.startBar}
          lengthBars={preview.lengthBars}
        />
      )}
    </div>
  );
});
