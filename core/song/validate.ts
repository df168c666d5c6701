/** Argument checks shared by the edit functions: a bad value is a clear error, never a corrupt song. */
import { KEY_MODES, TRACK_ROLES, type Key, type KeyMode, type NoteInput, type TrackRole } from './types.ts';
import type { Meter } from '../time.ts';

export class EditError extends Error {
  override name = 'EditError';
}

export function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EditError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function checkNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new EditError(`${name} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function checkString(name: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new EditError(`${name} must be a string of at most ${maxLength} characters`);
  }
  return value;
}

export function checkRole(value: unknown): TrackRole {
  if (!TRACK_ROLES.includes(value as TrackRole)) {
    throw new EditError(`track role must be one of ${TRACK_ROLES.join(', ')}, got ${String(value)}`);
  }
  return value as TrackRole;
}

export function checkMeter(meter: Meter): Meter {
  checkInt('meter numerator', meter?.numerator, 1, 32);
  if (![2, 4, 8, 16].includes(meter.denominator)) {
    throw new EditError(`meter denominator must be 2, 4, 8 or 16, got ${String(meter.denominator)}`);
  }
  return { numerator: meter.numerator, denominator: meter.denominator };
}

export function checkKey(key: Key): Key {
  checkInt('key tonic', key?.tonic, 0, 11);
  if (!KEY_MODES.includes(key.mode as KeyMode)) throw new EditError(`key mode must be major or minor`);
  return { tonic: key.tonic, mode: key.mode };
}

export const MAX_BARS = 4096;
/** Longest note: 64 bars of 4/4. */
export const MAX_NOTE_TICKS = 480 * 4 * 64;

export function checkNote(note: NoteInput, clipTicks: number): NoteInput {
  return {
    pitch: checkInt('note pitch', note?.pitch, 0, 127),
    tick: checkInt('note start tick', note.tick, 0, clipTicks - 1),
    duration: checkInt('note duration', note.duration, 1, MAX_NOTE_TICKS),
    velocity: checkInt('note velocity', note.velocity, 1, 127),
  };
}
