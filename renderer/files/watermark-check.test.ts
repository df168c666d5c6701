import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeWatermark } from './watermark-check.ts';

test('a found mark says so, with the export code when it was read; none says none', () => {
  const found = { found: true, payload: 0x1234n, decodedGuess: null, confidence: 12.34, frameStartSeconds: 0 };
  assert.equal(describeWatermark(found), "The audio carries Riffroom's watermark (confidence z = 12.3), naming export 0000000000001234.");
  assert.match(describeWatermark({ ...found, payload: null }), /its code could not be read/);
  assert.equal(describeWatermark({ ...found, found: false, payload: null }), 'No Riffroom watermark found in the audio.');
});
