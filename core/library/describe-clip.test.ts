import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeClip } from './describe-clip.ts';

const FOUR = { numerator: 4, denominator: 4 };
const eighths = (pitches: number[]) => pitches.map((pitch, i) => ({ pitch, tick: i * 240, duration: 200 }));

test('energy follows onsets per bar on the role scale the AI panel uses, and says so', () => {
  const sparse = describeClip({ notes: eighths([40, 40]), lengthBars: 1, meter: FOUR, role: 'bass', songKey: null, bpm: 100 });
  const busy = describeClip({
    notes: eighths([40, 40, 43, 45, 47, 40, 43, 45]),
    lengthBars: 1,
    meter: FOUR,
    role: 'bass',
    songKey: null,
    bpm: 100,
  });
  assert.equal(sparse.energy.value, 0);
  assert.equal(busy.energy.value, 4);
  assert.match(busy.energy.because, /^busy: 8\.0 notes a bar/);
});

test("the key is the song's, trusted as far as the notes keep to its scale; drums have none", () => {
  const cMajor = { tonic: 0, mode: 'major' as const };
  const inKey = describeClip({ notes: eighths([60, 62, 64, 65]), lengthBars: 1, meter: FOUR, role: 'lead', songKey: cMajor, bpm: 100 });
  const half = describeClip({ notes: eighths([60, 61, 63, 64]), lengthBars: 1, meter: FOUR, role: 'lead', songKey: cMajor, bpm: 100 });
  assert.equal(inKey.key?.confidence, 1);
  assert.equal(half.key?.confidence, 0.5);
  assert.equal(describeClip({ notes: [], lengthBars: 1, meter: FOUR, role: 'drums', songKey: cMajor, bpm: 100 }).key, null);
});

test('a song without a key: the key the notes sound in, with its confidence; moods come with their reasons', () => {
  // An A minor line around middle C: A C E, G# leading back to A, in eighths over two bars, slow.
  const line = eighths([57, 60, 64, 60, 57, 56, 57, 59, 60, 62, 64, 65, 64, 62, 60, 57]);
  const clip = describeClip({ notes: line, lengthBars: 2, meter: FOUR, role: 'lead', songKey: null, bpm: 70 });
  assert.deepEqual(clip.key?.value, { tonic: 9, mode: 'minor' });
  assert.ok(clip.key!.confidence > 0 && clip.key!.confidence <= 1);
  assert.match(clip.key!.because, /^detected from the notes \(key profiles\): the notes alone sound like A minor/);
  assert.ok(clip.moods.length > 0, 'some mood is told');
  for (const mood of clip.moods) assert.ok(mood.because.length > 10, `${mood.value} says why`);
  assert.ok(
    clip.moods.some((m) => m.value === 'dark'),
    clip.moods.map((m) => m.value).join(', '),
  );
});
