/** One factory per preset (presets.ts): the only place that knows which module builds which sound. */
import type { PresetId } from '../../presets.ts';
import { createBass } from './bass.ts';
import { createDrumKit } from './drum-kit.ts';
import { createElectricPiano } from './electric-piano.ts';
import type { Instrument, InstrumentContext } from './instrument.ts';
import { createLead } from './lead.ts';
import { createPad } from './pad.ts';

export type { Instrument, InstrumentContext } from './instrument.ts';

const FACTORIES: Record<PresetId, (ctx: InstrumentContext) => Instrument> = {
  'drum-kit': createDrumKit,
  bass: createBass,
  'electric-piano': createElectricPiano,
  lead: createLead,
  pad: createPad,
};

export function createInstrument(preset: PresetId, ctx: InstrumentContext): Instrument {
  return FACTORIES[preset](ctx);
}
