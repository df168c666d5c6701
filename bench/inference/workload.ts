/**
 * The requests the inference benchmark times: per role, a 4-bar riff in a common setting (pop/rock
 * in 4/4, a I–V–vi–IV progression for pitched roles, middle energy), seeds varied.
 */
import type { TokenChord } from '../../inference/tokenizer/events.ts';
import type { GenerationRequest } from '../../inference/engine/request.ts';
import { MODEL_ROLES, type ModelRole } from '../../inference/tokenizer/vocabulary.ts';

export const ROLES: readonly ModelRole[] = MODEL_ROLES;

const CHORDS: TokenChord[] = [0, 7, 9, 5].map((root, bar) => ({ tick: bar * 1920, root, quality: bar === 2 ? 'min' : 'maj' }));

export function riffRequest(role: ModelRole, seed: number, variations = 1): GenerationRequest {
  return {
    task: 'generate',
    role,
    style: role === 'drums' ? 'rock' : 'pop',
    key: role === 'drums' ? null : { tonic: 0, mode: 'major' },
    meter: { numerator: 4, denominator: 4 },
    bpm: 112,
    energy: 2,
    bars: 4,
    chords: role === 'drums' || role === 'chords' ? null : CHORDS,
    variations,
    seed,
    sampling: { temperature: 1, topK: 0, topP: 0.95 },
  };
}
