import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectedKeyNote } from './detected-key-note.ts';

const estimate = (confidence: 'low' | 'medium' | 'high') => ({
  key: { tonic: 10, mode: 'major' as const },
  correlation: 0.9,
  runnerUp: { key: { tonic: 7, mode: 'minor' as const }, correlation: 0.8 },
  margin: 0.1,
  confidence,
});

test('a file with a key signature adds nothing', () => {
  assert.equal(detectedKeyNote({ detectedKey: null, key: { tonic: 0, mode: 'major' } }), '');
});

test('a detected key the song took is named with its confidence; a low one is only a hint', () => {
  assert.match(
    detectedKeyNote({ detectedKey: estimate('high'), key: { tonic: 10, mode: 'major' } }),
    /sound in Bb major \(high confidence\), now the song's key/,
  );
  assert.match(
    detectedKeyNote({ detectedKey: estimate('low'), key: null }),
    /only hint at Bb major \(low confidence\): the song's key is unchanged/,
  );
});
