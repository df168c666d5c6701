/**
 * The chord track: chords drawn where they sound; click a bar to type its chords ("Am7", or
 * "C G" for two), Enter to set them, Tab / Shift+Tab to set them and move to the next / previous
 * bar, Escape to leave the bar as it was. Each bar typed is one labelled edit.
 */
import { memo, useRef, useState } from 'react';
import type * as Y from 'yjs';
import { setChords } from '../../../core/song/edits.ts';
import type { Chord } from '../../../core/song/types.ts';
import type { EditRunner, Notify } from '../edit-runner.ts';
import { barChordText, parseBarChords } from './chord-input.ts';

interface ChordLaneProps {
  doc: Y.Doc;
  chords: Chord[];
  bars: number;
  barPx: number;
  barTicks: number;
  edits: EditRunner;
  notify: Notify;
}

export const ChordLane = memo(function ChordLane({ doc, chords, bars, barPx, barTicks, edits, notify }: ChordLaneProps) {
  const [editing, setEditingState] = useState<{ bar: number; text: string } | null>(null);
  // Mirrors `editing` for the blur that follows Enter/Escape in the same event: it must see the
  // bar already closed, or it would write the bar a second time.
  const current = useRef<{ bar: number; text: string } | null>(null);
  const setEditing = (next: { bar: number; text: string } | null): void => {
    current.current = next;
    setEditingState(next);
  };

  const open = (bar: number): void => {
    if (edits.readOnly || bar < 0 || bar >= bars) return setEditing(null);
    setEditing({ bar, text: barChordText(chords, bar * barTicks, barTicks) });
  };
  /** Writes the bar's chords when they changed; false when the text is not chords. */
  const commit = (bar: number, text: string): boolean => {
    if (text.trim() === barChordText(chords, bar * barTicks, barTicks)) return true;
    const parsed = parseBarChords(text, bar * barTicks, barTicks);
    if (!parsed.ok) {
      notify(parsed.problem, 'error');
      return false;
    }
    edits.run(() => setChords(doc, bar * barTicks, (bar + 1) * barTicks, parsed.chords));
    return true;
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useKeyWithClickEvents: a click picks the bar under the pointer to type its chords (a pointer position); once a chord field is open, Tab moves on from bar to bar
    <div
      className="chord-lane"
      data-testid="chord-lane"
      style={{ width: bars * barPx }}
      onClick={(e) => {
        if (e.target !== e.currentTarget && !(e.target as HTMLElement).classList.contains('chord-cell')) return;
        open(Math.floor((e.clientX - e.currentTarget.getBoundingClientRect().left) / barPx));
      }}
    >
      {Array.from({ length: bars }, (_, bar) => (
        <span key={bar} className="chord-cell" data-testid="chord-cell" data-bar={bar} style={{ left: bar * barPx, width: barPx }} />
      ))}
      {chords.map((c) => (
        <span
          key={c.id}
          className="chord-block"
          data-testid="chord"
          data-bar={Math.floor(c.tick / barTicks)}
          style={{ left: (c.tick / barTicks) * barPx + 1, width: Math.max(18, (c.duration / barTicks) * barPx - 3) }}
          title={c.symbol}
        >
          {c.symbol}
        </span>
      ))}
      {editing && (
        <input
          className="chord-editor"
          data-testid="chord-input"
          aria-label={`Chords of bar ${editing.bar + 1}`}
          autoFocus
          spellCheck={false}
          value={editing.text}
          placeholder="Am7"
          style={{ left: editing.bar * barPx, width: Math.max(barPx, 72) }}
          onFocus={(e) => e.currentTarget.select()}
          onChange={(e) => setEditing({ ...editing, text: e.currentTarget.value })}
          onBlur={() => {
            const open = current.current;
            if (!open) return;
            setEditing(null);
            commit(open.bar, open.text);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              if (commit(editing.bar, editing.text)) setEditing(null);
            } else if (e.key === 'Tab') {
              e.preventDefault();
              if (commit(editing.bar, editing.text)) open(editing.bar + (e.shiftKey ? -1 : 1));
            } else if (e.key === 'Escape') {
              setEditing(null);
            }
          }}
        />
      )}
    </div>
  );
});
