/**
 * One track's header: colour stripe, name, instrument, role, owner (whose track it is), MIDI out
 * (this machine's own: not an edit of the song, so a viewer may route too), mute, solo, remove,
 * volume and pan.
 */
import { memo, useState } from 'react';
import type * as Y from 'yjs';
import { removeTrack, updateTrack } from '../../../core/song/edits.ts';
import type { Track } from '../../../core/song/types.ts';
import { TrackMidiRoute } from '../../midi/TrackMidiRoute.tsx';
import type { EditRunner } from '../edit-runner.ts';
import { CommitInput } from '../top-bar/CommitInput.tsx';
import { InstrumentPicker } from './InstrumentPicker.tsx';
import { ROLE_COLOR, ROLE_LABEL } from './roles.ts';

interface TrackHeaderProps {
  doc: Y.Doc;
  track: Track;
  edits: EditRunner;
}

/**
 * A slider that edits a shared number: it follows the song until grabbed, then the hand; the
 * value is written once, on release (a drag is one history entry, not fifty).
 */
function CommitSlider(props: {
  value: number;
  min: number;
  max: number;
  step: number;
  className: string;
  label: string;
  disabled: boolean;
  /** Also show the value as text beside the slider. */
  readout?: boolean;
  format(value: number): string;
  onCommit(value: number): void;
}) {
  const [draft, setDraft] = useState<number | null>(null);
  const commit = (): void => {
    if (draft !== null && draft !== props.value) props.onCommit(draft);
    setDraft(null);
  };
  const shown = draft ?? props.value;
  return (
    <>
      <input
        type="range"
        className={props.className}
        aria-label={props.label}
        title={`${props.label}: ${props.format(shown)}`}
        min={props.min}
        max={props.max}
        step={props.step}
        value={shown}
        disabled={props.disabled}
        onChange={(e) => setDraft(Number(e.currentTarget.value))}
        onPointerUp={commit}
        onKeyUp={commit}
        onBlur={commit}
        onDoubleClick={() => props.onCommit(props.min < 0 && props.max > 0 ? 0 : props.min)}
      />
      {props.readout && <span className="readout">{props.format(shown)}</span>}
    </>
  );
}

const formatDb = (db: number): string => (db <= -60 ? '-∞ dB' : `${db > 0 ? '+' : ''}${db.toFixed(1)} dB`);
const formatPan = (pan: number): string => (pan === 0 ? 'C' : pan < 0 ? `L${Math.round(-pan * 100)}` : `R${Math.round(pan * 100)}`);

export const TrackHeader = memo(function TrackHeader({ doc, track, edits }: TrackHeaderProps) {
  const ro = edits.readOnly;
  return (
    <div
      className={`track-header${track.solo ? ' soloed' : ''}`}
      data-testid="track-header"
      data-track-id={track.id}
      data-role={track.role}
    >
      <span className="stripe" style={{ background: ROLE_COLOR[track.role] }} />
      <div className="title">
        <CommitInput
          className="name"
          aria-label="Track name"
          data-testid="track-name"
          value={track.name}
          disabled={ro}
          maxLength={100}
          onCommit={(name) => edits.run(() => updateTrack(doc, track.id, { name: name.trim() || ROLE_LABEL[track.role] }))}
        />
        <span className="role" data-testid="track-role">
          {track.role}
        </span>
        {track.owner && (
          <span className="owner" data-testid="track-owner" title={`${track.name} is ${track.owner}'s`}>
            {track.owner}
          </span>
        )}
      </div>
      <div className="buttons">
        <TrackMidiRoute track={track} />
        <button
          type="button"
          className={`mute${track.mute ? ' active' : ''}`}
          aria-pressed={track.mute}
          title="Mute"
          disabled={ro}
          onClick={() => edits.run(() => updateTrack(doc, track.id, { mute: !track.mute }))}
        >
          M
        </button>
        <button
          type="button"
          className={`solo${track.solo ? ' active' : ''}`}
          aria-pressed={track.solo}
          title="Solo"
          disabled={ro}
          onClick={() => edits.run(() => updateTrack(doc, track.id, { solo: !track.solo }))}
        >
          S
        </button>
        <button
          type="button"
          title={`Remove ${track.name} and its clips (undo with Mod+Z)`}
          aria-label="Remove track"
          disabled={ro}
          onClick={() => edits.run(() => removeTrack(doc, track.id))}
        >
          ×
        </button>
      </div>
      <div className="mix">
        <InstrumentPicker doc={doc} track={track} edits={edits} />
        <label>
          <CommitSlider
            className="volume"
            label="Volume"
            min={-60}
            max={6}
            step={0.5}
            value={track.volumeDb}
            disabled={ro}
            readout
            format={formatDb}
            onCommit={(volumeDb) => edits.run(() => updateTrack(doc, track.id, { volumeDb }))}
          />
        </label>
        <label>
          <CommitSlider
            className="pan"
            label="Pan"
            min={-1}
            max={1}
            step={0.05}
            value={track.pan}
            disabled={ro}
            format={formatPan}
            onCommit={(pan) => edits.run(() => updateTrack(doc, track.id, { pan: Math.round(pan * 100) / 100 }))}
          />
        </label>
      </div>
    </div>
  );
});
