/** Title, tempo, meter, key, swing and loop range: the song's shared settings, edited in place. */
import type * as Y from 'yjs';
import { setKey, setLoop, setMeter, setSwing, setTempo, setTitle } from '../../../core/song/edits.ts';
import type { SongMeta } from '../../../core/song/types.ts';
import { pitchClassName } from '../../../core/theory/chords.ts';
import type { EditRunner, Notify } from '../edit-runner.ts';
import { CommitInput } from './CommitInput.tsx';

interface SongFieldsProps {
  doc: Y.Doc;
  meta: SongMeta;
  edits: EditRunner;
  notify: Notify;
}

const DENOMINATORS = [2, 4, 8, 16];

/** A number typed in a field, or a message saying what is wrong. */
function readNumber(text: string, what: string, notify: Notify): number | null {
  const n = Number(text.trim().replace(',', '.'));
  if (text.trim() === '' || !Number.isFinite(n)) {
    notify(`${what}: "${text}" is not a number`, 'error');
    return null;
  }
  return n;
}

export function TitleField({ doc, meta, edits }: Omit<SongFieldsProps, 'notify'>) {
  return (
    <CommitInput
      className="song-title"
      aria-label="Song title"
      data-testid="song-title"
      value={meta.title}
      disabled={edits.readOnly}
      maxLength={200}
      onCommit={(title) => edits.run(() => setTitle(doc, title.trim() || 'Untitled'))}
    />
  );
}

export function SongFields({ doc, meta, edits, notify }: SongFieldsProps) {
  const ro = edits.readOnly;
  const loop = meta.loop;
  return (
    <div className="group song-fields">
      <label className="field" title="Tempo in quarter notes per minute">
        <span>BPM</span>
        <CommitInput
          data-testid="tempo"
          inputMode="decimal"
          value={String(meta.bpm)}
          disabled={ro}
          style={{ width: 44 }}
          onCommit={(text) => {
            const bpm = readNumber(text, 'Tempo', notify);
            if (bpm !== null) edits.run(() => setTempo(doc, Math.round(bpm * 100) / 100));
          }}
        />
      </label>
      <label className="field" title="Meter (beats per bar / beat value)">
        <span>Meter</span>
        <span className="meter-input">
          <CommitInput
            data-testid="meter-numerator"
            inputMode="numeric"
            value={String(meta.meter.numerator)}
            disabled={ro}
            onCommit={(text) => {
              const n = readNumber(text, 'Beats per bar', notify);
              if (n !== null) edits.run(() => setMeter(doc, { numerator: n, denominator: meta.meter.denominator }));
            }}
          />
          /
          <select
            className="denominator"
            aria-label="Beat value"
            value={meta.meter.denominator}
            disabled={ro}
            onChange={(e) =>
              edits.run(() => setMeter(doc, { numerator: meta.meter.numerator, denominator: Number(e.currentTarget.value) }))
            }
          >
            {DENOMINATORS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </span>
      </label>
      <label className="field" title="Key of the song: the AI bandmate writes in it">
        <span>Key</span>
        <select
          className="tonic"
          data-testid="key-tonic"
          aria-label="Key tonic"
          value={meta.key.tonic}
          disabled={ro}
          onChange={(e) => edits.run(() => setKey(doc, { ...meta.key, tonic: Number(e.currentTarget.value) }))}
        >
          {Array.from({ length: 12 }, (_, pc) => (
            <option key={pc} value={pc}>
              {pitchClassName(pc, [1, 3, 8, 10].includes(pc))}
            </option>
          ))}
        </select>
        <select
          className="mode"
          aria-label="Key mode"
          value={meta.key.mode}
          disabled={ro}
          onChange={(e) => edits.run(() => setKey(doc, { ...meta.key, mode: e.currentTarget.value as 'major' | 'minor' }))}
        >
          <option value="major">major</option>
          <option value="minor">minor</option>
        </select>
      </label>
      <label className="field" title="Swing of the 8th notes: 0% straight, 100% full triplet swing">
        <span>Swing</span>
        <CommitInput
          data-testid="swing"
          inputMode="numeric"
          value={String(Math.round(meta.swing * 100))}
          disabled={ro}
          style={{ width: 36 }}
          onCommit={(text) => {
            const pct = readNumber(text, 'Swing', notify);
            if (pct !== null) edits.run(() => setSwing(doc, Math.round(pct) / 100));
          }}
        />
        %
      </label>
      <label className="field" title="Loop range in bars (first and last bar, inclusive)">
        <input
          type="checkbox"
          data-testid="loop-on"
          aria-label="Loop on"
          checked={loop !== null}
          disabled={ro}
          onChange={(e) => edits.run(() => setLoop(doc, e.currentTarget.checked ? { startBar: 0, endBar: 4 } : null))}
        />
        <span>Loop</span>
        <CommitInput
          data-testid="loop-start"
          aria-label="Loop first bar"
          inputMode="numeric"
          value={loop ? String(loop.startBar + 1) : ''}
          placeholder="–"
          disabled={ro || !loop}
          style={{ width: 36 }}
          onCommit={(text) => {
            const first = readNumber(text, 'Loop start', notify);
            if (first !== null && loop) edits.run(() => setLoop(doc, { startBar: first - 1, endBar: Math.max(loop.endBar, first) }));
          }}
        />
        –
        <CommitInput
          data-testid="loop-end"
          aria-label="Loop last bar"
          inputMode="numeric"
          value={loop ? String(loop.endBar) : ''}
          placeholder="–"
          disabled={ro || !loop}
          style={{ width: 36 }}
          onCommit={(text) => {
            const last = readNumber(text, 'Loop end', notify);
            if (last !== null && loop) edits.run(() => setLoop(doc, { startBar: Math.min(loop.startBar, last - 1), endBar: last }));
          }}
        />
      </label>
    </div>
  );
}
