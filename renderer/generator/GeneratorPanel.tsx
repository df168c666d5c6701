/**
 * SEAM (mount point only): the AI bandmate's panel in the side panel's "Generate" tab. The
 * generator helper replaces this file; keep the export name and the PanelProps it receives
 * (app/panel-props.ts): `inference.client()` starts the local model, `setActivity(session.awareness,
 * 'generating bass…')` (state/presence.ts) tells bandmates, and takes land through
 * core/song/edits.ts (replaceClipNotes, addClip) inside `edits.run(...)`.
 */
import type { PanelProps } from '../app/panel-props.ts';

export function GeneratorPanel(_props: PanelProps) {
  return <div className="placeholder" data-testid="generator-panel">AI bandmate: coming.</div>;
}
