/**
 * The clip editor mounted in the bottom area for the selected clip (app/EditorArea.tsx renders
 * `<ClipEditor {...PanelProps} clip track />`): the drum grid for a drums track, the piano roll
 * for every other. Both are NoteEditor.tsx; what differs is the rows and what a click does.
 */
import type { Clip, Track } from '../../core/song/types.ts';
import type { PanelProps } from '../app/panel-props.ts';
import { NoteEditor } from './NoteEditor.tsx';

export interface ClipEditorProps extends PanelProps {
  clip: Clip;
  track: Track | undefined;
}

export function ClipEditor(props: ClipEditorProps) {
  const drums = props.track?.role === 'drums';
  // Keyed by face: switching between a drum clip and a melodic clip starts with that face's defaults.
  return <NoteEditor key={drums ? 'drums' : 'piano'} {...props} drums={drums} />;
}
