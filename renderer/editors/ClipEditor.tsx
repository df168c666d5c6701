/**
 * The clip editor mounted in the bottom area for the selected clip.
 *
 * SEAM: this is a minimal, read-only view of the clip's notes so the shell is usable now. The
 * editors helper replaces it with the piano roll and drum grid; keep the export name and props
 * (ClipEditorProps) so App.tsx does not change. Edit notes through core/song/edits.ts
 * (addNotes, moveNotes, updateNotes, deleteNotes) inside `props.edits.run(...)`.
 */
import type { Clip, Track } from '../../core/song/types.ts';
import { ticksPerBar, ticksPerBeat } from '../../core/time.ts';
import type { PanelProps } from '../app/panel-props.ts';

export interface ClipEditorProps extends PanelProps {
  clip: Clip;
  track: Track | undefined;
}

const BEAT_PX = 28;
const ROW_PX = 6;
const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

export function ClipEditor({ clip, track, song }: ClipEditorProps) {
  const meter = song.meta.meter;
  const beatTicks = ticksPerBeat(meter);
  const barTicks = ticksPerBar(meter);
  const length = clip.lengthBars * barTicks;
  const pitches = clip.notes.map((n) => n.pitch);
  const low = Math.max(0, Math.min(...pitches, 60) - 2);
  const high = Math.min(127, Math.max(...pitches, low + 23) + 2);
  const rows = high - low + 1;
  const px = (ticks: number): number => (ticks / beatTicks) * BEAT_PX;
  const width = px(length);
  return (
    <div className="clip-editor" data-testid="clip-editor" data-clip-id={clip.id} style={{ display: 'flex', minHeight: '100%' }}>
      <svg width={36} height={rows * ROW_PX} style={{ flex: 'none', background: 'var(--panel-2)' }} aria-hidden="true">
        {Array.from({ length: rows }, (_, i) => {
          const pitch = high - i;
          const black = [1, 3, 6, 8, 10].includes(pitch % 12);
          return (
            <g key={pitch}>
              <rect x={0} y={i * ROW_PX} width={36} height={ROW_PX} fill={black ? '#0c0e11' : '#2a2f37'} />
              {pitch % 12 === 0 && <text x={2} y={i * ROW_PX + ROW_PX} fontSize={8} fill="#8b94a1">{NAMES[0]}{pitch / 12 - 1}</text>}
            </g>
          );
        })}
      </svg>
      <svg width={width} height={rows * ROW_PX} style={{ flex: 'none' }} role="img" aria-label={`${clip.notes.length} notes`}>
        {Array.from({ length: rows }, (_, i) => (
          [1, 3, 6, 8, 10].includes((high - i) % 12) && <rect key={i} x={0} y={i * ROW_PX} width={width} height={ROW_PX} fill="#ffffff05" />
        ))}
        {Array.from({ length: Math.ceil(length / beatTicks) + 1 }, (_, b) => (
          <line key={b} x1={px(b * beatTicks)} x2={px(b * beatTicks)} y1={0} y2={rows * ROW_PX} stroke={(b * beatTicks) % barTicks === 0 ? '#3a414c' : '#23272e'} />
        ))}
        {clip.notes.map((n) => (
          <rect
            key={n.id}
            data-testid="editor-note"
            x={px(n.tick)}
            y={(high - n.pitch) * ROW_PX + 0.5}
            width={Math.max(2, px(n.duration) - 1)}
            height={ROW_PX - 1}
            rx={1}
            fill={track ? `var(--role-${track.role})` : 'var(--accent)'}
            opacity={n.tick >= length ? 0.25 : 0.4 + (n.velocity / 127) * 0.6}
          >
            <title>{`${NAMES[n.pitch % 12]}${Math.floor(n.pitch / 12) - 1} vel ${n.velocity}`}</title>
          </rect>
        ))}
      </svg>
      {clip.notes.length === 0 && <div className="empty-hint" style={{ flex: 1 }}>This clip has no notes yet. Ask the AI bandmate in the Generate panel, or draw them once the piano roll lands.</div>}
    </div>
  );
}
