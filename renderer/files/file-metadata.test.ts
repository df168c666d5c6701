import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseParts } from '../../core/analysis/metadata.ts';
import { metadataLines } from './file-metadata.ts';

test('an imported file is told as key, tempo and meter, each track, and moods, each with why', () => {
  const melody = [57, 60, 64, 60, 57, 56, 57, 59, 60, 62, 64, 65, 64, 62, 60, 57].map((pitch, i) => ({
    pitch,
    tick: i * 240,
    duration: 200,
    velocity: 90,
  }));
  const m = analyseParts([{ name: 'Tune', notes: melody }], {
    bpm: 70,
    meter: { numerator: 4, denominator: 4 },
    timeSource: 'file',
    statedKey: null,
  });
  const lines = metadataLines(m);
  assert.deepEqual(
    lines.map((l) => l.label),
    ['Key', 'Tempo and meter', 'Tune', 'Mood', 'Mood'],
  );
  assert.match(lines[0]!.value, /^A minor \((high|medium|low) confidence\)$/);
  assert.match(lines[0]!.because, /^key profiles: correlation .* above .*; the file states none$/);
  assert.equal(lines[1]!.value, '70 BPM, 4/4');
  assert.match(lines[2]!.value, /^lead, /);
  assert.ok(lines.every((l) => l.because.length > 5));
});
