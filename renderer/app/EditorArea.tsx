/** The bottom area: the selected clip in the clip editor (renderer/editors/). */
import { ClipEditor } from '../editors/ClipEditor.tsx';
import type { PanelProps } from './panel-props.ts';
import { saveClipToLibrary } from '../library/save-clip.ts';

export function EditorArea(props: PanelProps) {
  const clip = props.selectedClipId ? props.song.clips.find((c) => c.id === props.selectedClipId) : undefined;
  const track = clip && props.song.tracks.find((t) => t.id === clip.trackId);
  return (
    <section className="editor-area" aria-label="Clip editor">
      <div className="area-title">
        Editor
        {clip && (
          <>
            <strong data-testid="editor-title">{clip.name || track?.name || 'Clip'}</strong>
            <span>
              bars {clip.startBar + 1}–{clip.startBar + clip.lengthBars}
            </span>
            <span>{clip.notes.length} notes</span>
            {clip.provenance && <span>from {clip.provenance.source}</span>}
            <button
              type="button"
              className="link"
              data-testid="editor-save-to-library"
              title="Keep this clip in your riff library"
              onClick={() => void saveClipToLibrary(props, clip.id)}
            >
              Save to library
            </button>
          </>
        )}
      </div>
      <div className="area-body">
        {clip ? <ClipEditor {...props} clip={clip} track={track} /> : <div className="empty-hint">Select a clip to see it here.</div>}
      </div>
    </section>
  );
}
