import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moodTags, type MoodInput, type MoodTag } from './mood.ts';

const base: MoodInput = { key: { tonic: 9, mode: 'major' }, medianPitch: 72, onsetsPerSecond: 4, syncopation: 0.15, meanBeats: 0.5 };
const tags = (input: Partial<MoodInput>): MoodTag[] => moodTags({ ...base, ...input }).map((m) => m.tag);

test('bright from a major key in a middle or high register, dark from minor or a low register', () => {
  assert.deepEqual(tags({}), ['bright']);
  assert.deepEqual(
    tags({ key: { tonic: 9, mode: 'major' }, medianPitch: 64 }).filter((t) => t === 'bright'),
    ['bright'],
  );
  assert.ok(tags({ key: { tonic: 9, mode: 'minor' }, medianPitch: 62 }).includes('dark'));
  assert.ok(tags({ key: { tonic: 9, mode: 'major' }, medianPitch: 40 }).includes('dark'));
  assert.ok(!tags({ key: null }).some((t) => t === 'bright' || t === 'dark'));
});

test('calm from few on-the-beat notes; driving from many; syncopated from anticipations', () => {
  assert.ok(tags({ onsetsPerSecond: 2.9, syncopation: 0 }).includes('calm'));
  assert.ok(!tags({ onsetsPerSecond: 3, syncopation: 0 }).includes('calm'));
  assert.ok(!tags({ onsetsPerSecond: 1.5, syncopation: 0.3 }).includes('calm'));
  assert.ok(tags({ onsetsPerSecond: 1.5, syncopation: 0.3 }).includes('syncopated'));
  assert.ok(tags({ onsetsPerSecond: 7 }).includes('driving'));
});

test('smooth from long notes, punchy from short ones; each tag says why in numbers', () => {
  const smooth = moodTags({ ...base, meanBeats: 2 }).find((m) => m.tag === 'smooth');
  assert.match(smooth!.because, /2\.00 beats/);
  assert.ok(tags({ meanBeats: 0.25 }).includes('punchy'));
  const bright = moodTags({ ...base, key: { tonic: 10, mode: 'major' } }).find((m) => m.tag === 'bright');
  assert.equal(bright!.because, 'Bb major, notes around C5');
  const driving = moodTags({ ...base, onsetsPerSecond: 6.25 }).find((m) => m.tag === 'driving');
  assert.equal(driving!.because, 'many notes: 6.3 notes a second');
});
