/** Library entries for tests: a plausible clip and preset, any field overridable. */
import type { LibraryClip, PromptPreset } from '../../core/library/types.ts';

export function libraryClip(overrides: Partial<LibraryClip> = {}): LibraryClip {
  return {
    id: 'clip',
    name: 'Bass riff',
    notes: [
      { pitch: 40, tick: 0, duration: 240, velocity: 100 },
      { pitch: 43, tick: 480, duration: 240, velocity: 90 },
      { pitch: 45, tick: 960, duration: 480, velocity: 96 },
    ],
    lengthBars: 1,
    meter: { numerator: 4, denominator: 4 },
    chords: [{ tick: 0, duration: 1920, symbol: 'Em' }],
    role: 'bass',
    instrument: 'finger-bass',
    style: 'funk',
    provenance: { source: 'user', author: 'alice', sourceSong: 'Song A' },
    tags: [],
    metadata: {
      key: { value: { tonic: 4, mode: 'minor' }, confidence: 1, because: "the song's key" },
      role: { value: overrides.role ?? 'bass', because: "the track's role" },
      tempo: { value: 112, because: "the song's tempo" },
      meter: { numerator: 4, denominator: 4 },
      energy: { value: 0, because: '3 onsets a bar' },
      moods: [],
    },
    savedBy: 'alice',
    savedAt: '2026-01-15T12:00:00.000Z',
    ...overrides,
  };
}

export function preset(overrides: Partial<PromptPreset> = {}): PromptPreset {
  return {
    id: 'preset',
    name: 'Funk bass',
    settings: {
      role: 'bass',
      style: 'funk',
      key: null,
      energy: 3,
      temperature: 0.9,
      seed: 42,
      mode: 'free',
      scaleLock: true,
      lockedBars: [],
    },
    createdAt: '2026-01-15T12:00:00.000Z',
    updatedAt: '2026-01-15T12:00:00.000Z',
    lastRiff: null,
    ...overrides,
  };
}
