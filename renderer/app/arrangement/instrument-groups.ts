/** The instrument picker's list: a role's presets grouped by family, families in catalog order. Pure. */
import { instrumentsForRole, type InstrumentFamily, type InstrumentPreset } from '../../../core/song/instrument-catalog.ts';
import type { TrackRole } from '../../../core/song/types.ts';

const FAMILY_LABEL: Record<InstrumentFamily, string> = {
  piano: 'Pianos',
  'electric-piano': 'Electric pianos',
  organ: 'Organs',
  mallets: 'Mallets',
  guitar: 'Guitars',
  bass: 'Basses',
  strings: 'Strings',
  voices: 'Voices',
  pad: 'Pads',
  lead: 'Synth leads',
  brass: 'Brass',
  reeds: 'Reeds and winds',
  drums: 'Drum kits',
};

export interface PresetGroup {
  family: InstrumentFamily;
  label: string;
  presets: InstrumentPreset[];
}

export function presetGroups(role: TrackRole): PresetGroup[] {
  const groups = new Map<InstrumentFamily, InstrumentPreset[]>();
  for (const preset of instrumentsForRole(role)) groups.set(preset.family, [...(groups.get(preset.family) ?? []), preset]);
  return [...groups].map(([family, presets]) => ({ family, label: FAMILY_LABEL[family], presets }));
}
