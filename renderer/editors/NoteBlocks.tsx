/**
 * The notes of the grid as rectangles coloured by velocity, with their selection and lock, plus
 * the ghosts of notes being drawn. Every note carries its values as data attributes: the
 * browser tests read the editor the way a user reads the screen.
 */
import { memo } from 'react';
import type { Note, NoteInput } from '../../core/song/types.ts';
import { noteRect, type GridLayout } from './layout.ts';
import { isNoteLocked } from './note-locks.ts';
import { pitchName } from './rows.ts';
import { velocityColor } from './velocity.ts';

interface NoteBlockProps {
  note: Note;
  x: number;
  y: number;
  width: number;
  height: number;
  selected: boolean;
  locked: boolean;
  /** Starts at or past the clip's end: kept, not played. */
  muted: boolean;
  label: string;
}

const NoteBlock = memo(function NoteBlock({ note, x, y, width, height, selected, locked, muted, label }: NoteBlockProps) {
  const classes = ['note', selected && 'selected', locked && 'locked', muted && 'muted'].filter(Boolean).join(' ');
  return (
    <div
      className={classes}
      data-testid="note"
      data-note-id={note.id}
      data-pitch={note.pitch}
      data-tick={note.tick}
      data-duration={note.duration}
      data-velocity={note.velocity}
      data-selected={selected || undefined}
      data-locked={locked || undefined}
      title={`${label} · velocity ${note.velocity}${locked ? ' · locked' : ''}`}
      style={{ left: x, top: y + 1, width: Math.max(2, width - 1), height: height - 2, background: velocityColor(note.velocity) }}
    />
  );
});

interface NoteBlocksProps {
  notes: readonly Note[];
  layout: GridLayout;
  selection: ReadonlySet<string>;
  clipLocked: boolean;
  clipTicks: number;
  ghosts: readonly NoteInput[];
  nameOf?(pitch: number): string;
}

export function NoteBlocks({ notes, layout, selection, clipLocked, clipTicks, ghosts, nameOf = pitchName }: NoteBlocksProps) {
  return (
    <>
      {notes.map((n) => {
        const r = noteRect(layout, n);
        if (!r) return null;
        return (
          <NoteBlock
            key={n.id}
            note={n}
            {...r}
            selected={selection.has(n.id)}
            locked={clipLocked || isNoteLocked(n)}
            muted={n.tick >= clipTicks}
            label={nameOf(n.pitch)}
          />
        );
      })}
      {ghosts.map((g, i) => {
        const r = noteRect(layout, g);
        return (
          r && (
            <div
              key={`ghost-${i}`}
              className="note ghost"
              data-testid="ghost-note"
              style={{ left: r.x, top: r.y + 1, width: Math.max(2, r.width - 1), height: r.height - 2 }}
            />
          )
        );
      })}
    </>
  );
}
