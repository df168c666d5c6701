/**
 * The requests the inference benchmark times: per role, a 4-bar riff in a common setting (pop/rock
 * in 4/4, a I–V–vi–IV progression for pitched roles, middle energy), seeds varied.
 */
import type { GenerationRequest } from '../../inference/engine/request.ts';
import { commonRiffRequest } from '../../inference/host/warm-up.ts';
import { MODEL_ROLES, type ModelRole } from '../../inference/tokenizer/vocabulary.ts';

export const ROLES: readonly ModelRole[] = MODEL_ROLES;

export function riffRequest(role: ModelRole, seed: number, variations = 1): GenerationRequest {
  return commonRiffRequest(role, seed, variations);
}
