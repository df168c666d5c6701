/**
 * The AI panel's presets: pick one and Recall it (its settings and locked bars replace the
 * panel's), or Save the panel's settings under a name (a name that exists is updated). The preset
 * recalled or saved last is the panel's active one: the next take kept from the panel is
 * remembered as its riff (GeneratorPanel calls onKept). Presets live in the library, so every
 * project sees the same ones.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { PromptPreset } from '../../core/library/types.ts';
import type { LibraryModel } from './library-model.ts';

interface PresetBarProps {
  library: LibraryModel;
  disabled: boolean;
  active: PromptPreset | null;
  onRecall(preset: PromptPreset): void;
  onSave(name: string, existing: PromptPreset | undefined): void;
}

export function PresetBar({ library, disabled, active, onRecall, onSave }: PresetBarProps) {
  const version = useSyncExternalStore(library.subscribe, library.version);
  const [presets, setPresets] = useState<PromptPreset[]>([]);
  const [chosen, setChosen] = useState('');
  const [name, setName] = useState('');
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the signal that the library changed
  useEffect(() => {
    let live = true;
    void library.ready
      .then(({ store }) => store.listPresets())
      .then(
        (list) => live && setPresets(list),
        () => live && setPresets([]),
      );
    return () => {
      live = false;
    };
  }, [library, version]);
  const picked = presets.find((p) => p.id === chosen);
  const riff = active && presets.find((p) => p.id === active.id)?.lastRiff;
  return (
    <div className="gen-presets" data-testid="gen-presets">
      <div className="gen-preset-row">
        <select
          data-testid="gen-preset-select"
          value={chosen}
          disabled={disabled}
          onChange={(e) => setChosen(e.currentTarget.value)}
          aria-label="Preset"
        >
          <option value="">Presets…</option>
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <button type="button" data-testid="gen-preset-recall" disabled={disabled || !picked} onClick={() => picked && onRecall(picked)}>
          Recall
        </button>
        <button
          type="button"
          data-testid="gen-preset-delete"
          disabled={disabled || !picked}
          title="Delete this preset from the library"
          onClick={() => picked && void library.deletePreset(picked.id).then(() => setChosen(''))}
        >
          ✕
        </button>
      </div>
      <div className="gen-preset-row">
        <input
          data-testid="gen-preset-name"
          placeholder="Save settings as…"
          value={name}
          maxLength={100}
          disabled={disabled}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <button
          type="button"
          data-testid="gen-preset-save"
          disabled={disabled || !name.trim()}
          onClick={() => {
            onSave(
              name.trim(),
              presets.find((p) => p.name === name.trim()),
            );
            setName('');
          }}
        >
          Save preset
        </button>
      </div>
      {active && (
        <p className="gen-hint muted" data-testid="gen-preset-active">
          Preset “{active.name}”
          {riff ? ` · last riff: ${riff.name} (${riff.notes.length} notes, ${riff.lengthBars} bars)` : ' · no riff made yet'}
        </p>
      )}
    </div>
  );
}
