/**
 * The editor's controls: draw or select tool, grid (note value, triplets), quantize with its
 * strength, zoom, and the clip's lock.
 */
import { GRID_DIVISIONS, type GridChoice, type GridDivision } from './grid.ts';
import { EDITOR_SHORTCUTS } from './editor-keys.ts';
import type { Tool } from './note-gesture.ts';

interface EditorToolbarProps {
  drums: boolean;
  tool: Tool;
  onTool(tool: Tool): void;
  grid: GridChoice;
  onGrid(grid: GridChoice): void;
  strength: number;
  onStrength(percent: number): void;
  onQuantize(): void;
  onZoom(direction: 1 | -1): void;
  locked: boolean;
  readOnly: boolean;
  onToggleLock(): void;
  selectedCount: number;
  noteCount: number;
}

export function EditorToolbar(p: EditorToolbarProps) {
  const help = EDITOR_SHORTCUTS.map(([keys, what]) => `${keys}: ${what}`).join('\n');
  return (
    <div className="editor-toolbar" data-testid="editor-toolbar">
      <span className="editor-kind">{p.drums ? 'Drum grid' : 'Piano roll'}</span>
      <div className="segmented" role="group" aria-label="Tool">
        <button
          type="button"
          data-testid="editor-tool-draw"
          aria-pressed={p.tool === 'draw'}
          className={p.tool === 'draw' ? 'active' : ''}
          title="Draw: click or drag on empty space (B)"
          onClick={() => p.onTool('draw')}
        >
          Draw
        </button>
        <button
          type="button"
          data-testid="editor-tool-select"
          aria-pressed={p.tool === 'select'}
          className={p.tool === 'select' ? 'active' : ''}
          title="Select: drag a rubber band on empty space (B)"
          onClick={() => p.onTool('select')}
        >
          Select
        </button>
      </div>
      <label className="field">
        <span>Grid</span>
        <select
          data-testid="editor-grid"
          value={p.grid.division}
          onChange={(e) => p.onGrid({ ...p.grid, division: Number(e.currentTarget.value) as GridDivision })}
        >
          {GRID_DIVISIONS.map((d) => (
            <option key={d} value={d}>
              1/{d}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        data-testid="editor-triplet"
        aria-pressed={p.grid.triplet}
        className={p.grid.triplet ? 'active' : ''}
        title="Triplet grid"
        onClick={() => p.onGrid({ ...p.grid, triplet: !p.grid.triplet })}
      >
        3
      </button>
      <span className="divider" />
      <button
        type="button"
        data-testid="editor-quantize"
        disabled={p.locked || p.readOnly}
        title="Quantize the selection, or the whole clip (Q)"
        onClick={p.onQuantize}
      >
        Quantize
      </button>
      <label className="field" title="How far quantize pulls notes toward the grid">
        <input
          type="number"
          data-testid="editor-strength"
          min={0}
          max={100}
          step={10}
          value={p.strength}
          onChange={(e) => p.onStrength(Math.min(100, Math.max(0, Number(e.currentTarget.value) || 0)))}
        />
        <span>%</span>
      </label>
      <span className="divider" />
      <button type="button" className="icon" data-testid="editor-zoom-out" title="Zoom out (-)" onClick={() => p.onZoom(-1)}>
        −
      </button>
      <button type="button" className="icon" data-testid="editor-zoom-in" title="Zoom in (=)" onClick={() => p.onZoom(1)}>
        +
      </button>
      <span className="spacer" />
      <span className="muted" data-testid="editor-selected-count">
        {p.selectedCount ? `${p.selectedCount} of ${p.noteCount} selected` : `${p.noteCount} notes`}
      </span>
      <button
        type="button"
        data-testid="editor-lock"
        aria-pressed={p.locked}
        className={p.locked ? 'active' : ''}
        disabled={p.readOnly}
        title={
          p.locked
            ? 'Locked: its notes stay as they are, for everyone and the AI bandmate. Click to unlock.'
            : 'Lock this clip: its notes can no longer be changed'
        }
        onClick={p.onToggleLock}
      >
        {p.locked ? '🔒 Locked' : 'Lock'}
      </button>
      <span className="help-hint" role="img" title={help} aria-label="Editor shortcuts">
        ?
      </span>
    </div>
  );
}
