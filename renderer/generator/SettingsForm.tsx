/** The panel's controls: what to write and how (settings.ts holds their meaning and ranges). */
import type { Key } from '../../core/song/types.ts';
import { MODES } from '../../inference/contract.ts';
import { DiceIcon } from './icons.tsx';
import { keyName } from './provenance.ts';
import {
  ENERGY_LABELS,
  FOLLOW_CHORDS_STEP,
  MAX_GENERATED_BARS,
  MAX_SEED,
  MAX_VARIATIONS,
  MODE_LABELS,
  MODEL_ROLES,
  STYLES,
  TEMPERATURE_RANGE,
  followChordsShown,
  followsChords,
  randomSeed,
  type GeneratorSettings,
} from './settings.ts';

interface SettingsFormProps {
  settings: GeneratorSettings;
  songKey: Key;
  disabled: boolean;
  onChange(patch: Partial<GeneratorSettings>): void;
}

const KEYS: Key[] = Array.from({ length: 24 }, (_, i) => ({ tonic: i >> 1, mode: i % 2 ? 'minor' : 'major' }));
const keyValue = (key: Key | null): string => (key ? `${key.tonic}:${key.mode}` : 'song');

function parseKey(value: string): Key | null {
  if (value === 'song') return null;
  const [tonic, mode] = value.split(':');
  return { tonic: Number(tonic), mode: mode === 'minor' ? 'minor' : 'major' };
}

/** A number field: what is typed is kept as typed; the request clamps it (settings.ts clampSettings). */
function NumberField(props: {
  label: string;
  testId: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  disabled: boolean;
  title?: string;
  onChange(n: number): void;
}) {
  return (
    <label className="field" title={props.title}>
      <span>{props.label}</span>
      <input
        type="number"
        data-testid={props.testId}
        value={Number.isFinite(props.value) ? props.value : ''}
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.valueAsNumber)}
      />
    </label>
  );
}

export function SettingsForm({ settings: s, songKey, disabled, onChange }: SettingsFormProps) {
  return (
    <div className="gen-settings" data-testid="gen-settings">
      <label className="field">
        <span>Role</span>
        <select
          data-testid="gen-role"
          value={s.role}
          disabled={disabled}
          onChange={(e) => onChange({ role: e.currentTarget.value as GeneratorSettings['role'] })}
        >
          {MODEL_ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Style</span>
        <select
          data-testid="gen-style"
          value={s.style}
          disabled={disabled}
          onChange={(e) => onChange({ style: e.currentTarget.value as GeneratorSettings['style'] })}
        >
          {STYLES.map((style) => (
            <option key={style} value={style}>
              {style}
            </option>
          ))}
        </select>
      </label>
      <label className="field" title="Drums ignore the key">
        <span>Key</span>
        <select
          data-testid="gen-key"
          value={keyValue(s.key)}
          disabled={disabled}
          onChange={(e) => onChange({ key: parseKey(e.currentTarget.value) })}
        >
          <option value="song">song ({keyName(songKey)})</option>
          {KEYS.map((k) => (
            <option key={keyValue(k)} value={keyValue(k)}>
              {keyName(k)}
            </option>
          ))}
        </select>
      </label>
      <NumberField
        label="Bars"
        testId="gen-bars"
        value={s.bars}
        min={1}
        max={MAX_GENERATED_BARS}
        disabled={disabled}
        title="Bars to write (Continue: bars added after the clip)"
        onChange={(bars) => onChange({ bars })}
      />
      <label className="field gen-wide" title="How many notes per bar: sparse … busy">
        <span>Energy</span>
        <input
          type="range"
          data-testid="gen-energy"
          min={0}
          max={ENERGY_LABELS.length - 1}
          step={1}
          value={s.energy}
          disabled={disabled}
          onChange={(e) => onChange({ energy: e.currentTarget.valueAsNumber })}
        />
        <output className="gen-value">{ENERGY_LABELS[s.energy] ?? s.energy}</output>
      </label>
      <label className="field gen-wide" title="Lower: safer choices; higher: more surprising">
        <span>Temp</span>
        <input
          type="range"
          data-testid="gen-temperature"
          min={TEMPERATURE_RANGE.min}
          max={TEMPERATURE_RANGE.max}
          step={TEMPERATURE_RANGE.step}
          value={s.temperature}
          disabled={disabled}
          onChange={(e) => onChange({ temperature: e.currentTarget.valueAsNumber })}
        />
        <output className="gen-value">{s.temperature.toFixed(2)}</output>
      </label>
      <span className="field gen-seed">
        <NumberField
          label="Seed"
          testId="gen-seed"
          value={s.seed}
          min={0}
          max={MAX_SEED}
          disabled={disabled}
          title="The same seed and settings write the same notes"
          onChange={(seed) => onChange({ seed })}
        />
        <button
          type="button"
          className="icon"
          data-testid="gen-dice"
          title="Roll a new seed"
          aria-label="Roll a new seed"
          disabled={disabled}
          onClick={() => onChange({ seed: randomSeed() })}
        >
          <DiceIcon />
        </button>
      </span>
      <NumberField
        label="Variations"
        testId="gen-variations"
        value={s.variations}
        min={1}
        max={MAX_VARIATIONS}
        disabled={disabled}
        title="Alternatives written at once, to pick from"
        onChange={(variations) => onChange({ variations })}
      />
      <label className="field gen-wide" title="For Vary and Fill: what of the clip to keep">
        <span>Mode</span>
        <select
          data-testid="gen-mode"
          value={s.mode}
          disabled={disabled}
          onChange={(e) => onChange({ mode: e.currentTarget.value as GeneratorSettings['mode'] })}
        >
          {MODES.map((m) => (
            <option key={m} value={m}>
              {MODE_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      <label className="field gen-check" title="Keep new pitches in the key's scale">
        <input
          type="checkbox"
          data-testid="gen-scale-lock"
          checked={s.scaleLock}
          disabled={disabled}
          onChange={(e) => onChange({ scaleLock: e.currentTarget.checked })}
        />
        <span>Scale lock</span>
      </label>
      <FollowChords settings={s} disabled={disabled} onChange={onChange} />
    </div>
  );
}

/**
 * Follow the chords, 0 (as the model likes) .. 1 (only chord tones on beats): the role's default
 * until moved; "default" gives the choice back to the role. Drums and the chord track have no
 * chords to follow.
 */
function FollowChords({ settings: s, disabled, onChange }: Pick<SettingsFormProps, 'settings' | 'disabled' | 'onChange'>) {
  const applies = followsChords(s.role);
  const value = followChordsShown(s);
  return (
    <label
      className="field gen-wide"
      title={
        applies
          ? "How strongly notes on a beat keep to the chord's tones: 0 free, 1 chord tones only"
          : 'Drums and chords have no chords to follow'
      }
    >
      <span>Follow chords</span>
      <input
        type="range"
        data-testid="gen-follow-chords"
        min={0}
        max={1}
        step={FOLLOW_CHORDS_STEP}
        value={value}
        disabled={disabled || !applies}
        onChange={(e) => onChange({ followChords: e.currentTarget.valueAsNumber })}
      />
      <output className="gen-value" data-testid="gen-follow-chords-value">
        {applies ? `${value.toFixed(1)}${s.followChords === null ? ' (default)' : ''}` : '–'}
      </output>
      {s.followChords !== null && applies && (
        <button
          type="button"
          data-testid="gen-follow-chords-default"
          title="Back to the role's default"
          disabled={disabled}
          onClick={() => onChange({ followChords: null })}
        >
          default
        </button>
      )}
    </label>
  );
}
