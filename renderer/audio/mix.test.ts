import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dbToGain, gainToDb, resolveMix } from './mix.ts';

const t = (id: string, patch: Partial<{ mute: boolean; solo: boolean; volumeDb: number; pan: number }> = {}) => ({
  id,
  mute: false,
  solo: false,
  volumeDb: 0,
  pan: 0,
  ...patch,
});
const audible = (tracks: ReturnType<typeof t>[]) => [...resolveMix(tracks).values()].filter((m) => m.audible).map((m) => m.id);

test('no mute, no solo: everything is heard', () => {
  assert.deepEqual(audible([t('a'), t('b'), t('c')]), ['a', 'b', 'c']);
});

test('mute silences a track; solo silences every track that is not soloed', () => {
  assert.deepEqual(audible([t('a', { mute: true }), t('b'), t('c')]), ['b', 'c']);
  assert.deepEqual(audible([t('a', { solo: true }), t('b'), t('c', { solo: true })]), ['a', 'c']);
});

test('mute wins over solo, and a muted solo still silences the others', () => {
  assert.deepEqual(audible([t('a', { solo: true, mute: true }), t('b', { solo: true }), t('c')]), ['b']);
  assert.deepEqual(audible([t('a', { solo: true, mute: true }), t('b')]), []);
});

test('a fader at -60 dB is off; gains clamp to +6 dB; pan clamps to -1..1', () => {
  const mix = resolveMix([t('a', { volumeDb: -60 }), t('b', { volumeDb: 12, pan: 3 }), t('c', { volumeDb: -12 })]);
  assert.equal(mix.get('a')!.audible, false);
  assert.equal(mix.get('a')!.gainDb, -Infinity);
  assert.equal(mix.get('b')!.gainDb, 6);
  assert.equal(mix.get('b')!.pan, 1);
  assert.equal(mix.get('c')!.gainDb, -12);
});

test('dB and linear gain', () => {
  assert.equal(dbToGain(0), 1);
  assert.equal(dbToGain(-Infinity), 0);
  assert.ok(Math.abs(dbToGain(-6) - 0.501) < 0.001);
  assert.equal(gainToDb(0), -Infinity);
  assert.ok(Math.abs(gainToDb(dbToGain(-17.5)) + 17.5) < 1e-9);
});
