/**
 * Mood tags read from the music, each with the features behind it in one sentence for the UI.
 * They are rules of thumb musicians use, not a trained classifier: major keys and high registers
 * sound bright, minor keys and low registers dark; few, on-the-beat notes sound calm, many or
 * syncopated ones drive; long held notes sound smooth, short detached ones punchy.
 */
import type { Key } from '../song/types.ts';
import { keyName } from './key.ts';
import { noteName } from './track-role.ts';

export const MOOD_TAGS = ['bright', 'dark', 'calm', 'driving', 'syncopated', 'smooth', 'punchy'] as const;
export type MoodTag = (typeof MOOD_TAGS)[number];

export interface Mood {
  tag: MoodTag;
  /** Why, in one sentence that names the features ("A major key, melody around C5"). */
  because: string;
}

/** What the tags are decided from; every field is optional, and a tag whose inputs are missing is not given. */
export interface MoodInput {
  /** The music's key (detected or from the file); null: none (drums only). */
  key: Key | null;
  /** Median pitch of the pitched parts' notes. */
  medianPitch: number | null;
  /** Distinct note onsets per second over all parts together. */
  onsetsPerSecond: number;
  /** Share of onsets that anticipate an empty beat (features.ts syncopationOf). */
  syncopation: number;
  /** Mean pitched-note length in beats; null when there are no pitched notes. */
  meanBeats: number | null;
}

/** A major part whose median is below G3 sounds dark all the same (a low drone, a bass riff). */
const LOW_REGISTER = 55;
/** A minor part whose median is above B4 (a high, airy line) is left untagged rather than called dark. */
const HIGH_REGISTER = 71;
/**
 * Onset rates of whole arrangements (bench/metadata): POP909's songs (melody, counter-melody,
 * piano) play 2.7-3.9 onsets a second (10th-90th percentile), Groove's drummers 4.3-9.0; the
 * calmest fifth of the pop songs is under 3, and three quarters of the grooves drive at 5 or more.
 * Syncopation: POP909 songs 0-9%, Groove 0-28%; a fifth or more of anticipated onsets is a quarter
 * of the grooves and hardly any pop song.
 */
const CALM_ONSETS_PER_SECOND = 3;
const DRIVING_ONSETS_PER_SECOND = 5;
const SYNCOPATED = 0.2;
const CALM_MAX_SYNCOPATION = 0.1;
const SMOOTH_BEATS = 1;
const PUNCHY_BEATS = 0.35;

const fixed = (n: number, digits = 1): string => n.toFixed(digits);
const percent = (share: number): string => `${Math.round(share * 100)}%`;

export function moodTags(input: MoodInput): Mood[] {
  const tags: Mood[] = [];
  const { key, medianPitch } = input;
  const register = medianPitch === null ? '' : `, notes around ${noteName(medianPitch)}`;
  if (key && medianPitch !== null) {
    if (key.mode === 'major' && medianPitch >= LOW_REGISTER) tags.push({ tag: 'bright', because: `${keyName(key)}${register}` });
    else if (key.mode === 'minor' && medianPitch <= HIGH_REGISTER) tags.push({ tag: 'dark', because: `${keyName(key)}${register}` });
    else if (key.mode === 'major') tags.push({ tag: 'dark', because: `low register despite ${keyName(key)}${register}` });
  }
  const rate = `${fixed(input.onsetsPerSecond)} notes a second`;
  const offbeat = `${percent(input.syncopation)} of onsets anticipate the beat`;
  if (input.onsetsPerSecond < CALM_ONSETS_PER_SECOND && input.syncopation <= CALM_MAX_SYNCOPATION) {
    tags.push({ tag: 'calm', because: `few notes (${rate}), on the beat (${offbeat})` });
  } else if (input.onsetsPerSecond >= DRIVING_ONSETS_PER_SECOND) {
    tags.push({ tag: 'driving', because: `many notes: ${rate}` });
  }
  if (input.syncopation >= SYNCOPATED) tags.push({ tag: 'syncopated', because: offbeat });
  if (input.meanBeats !== null) {
    const length = `notes last ${fixed(input.meanBeats, 2)} beats on average`;
    if (input.meanBeats >= SMOOTH_BEATS) tags.push({ tag: 'smooth', because: `long, held notes: ${length}` });
    else if (input.meanBeats <= PUNCHY_BEATS) tags.push({ tag: 'punchy', because: `short, detached notes: ${length}` });
  }
  return tags;
}
