/**
 * Keep register: a part's free pitches stay within a span of semitones of every note it has so far
 * (GrammarOptions.span; the grammar applies it), so a bass line does not wander over two octaves
 * in a few bars the way a player's hand does not.
 */
import type { ModelRole } from '../tokenizer/vocabulary.ts';

/**
 * The span each role decodes with (null: no limit). eval:model --musicality measured these on
 * held-out songs (models/training/README.md, Musicality): real bass parts span 16 semitones in 4
 * bars (90% at most 19, none past 22), the model's unconstrained ones 18.5 (10% past 23).
 */
export const DEFAULT_REGISTER_SPAN: Readonly<Record<ModelRole, number | null>> = {
  drums: null,
  bass: 20,
  keys: null,
  lead: null,
  chords: null,
};

/** The span a role's part is held to, or undefined for none (GrammarOptions.span). */
export function registerSpanOf(role: ModelRole): number | undefined {
  return DEFAULT_REGISTER_SPAN[role] ?? undefined;
}
