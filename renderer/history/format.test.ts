import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatTime } from './format.ts';

test('times: clock with seconds today, date and minutes before, the year only when it differs', () => {
  const now = new Date(2025, 5, 14, 18, 0, 0).getTime();
  assert.equal(formatTime(new Date(2025, 5, 14, 9, 5, 7).getTime(), now), '09:05:07');
  assert.equal(formatTime(new Date(2025, 2, 4, 14, 3, 59).getTime(), now), 'Mar 4 14:03');
  assert.equal(formatTime(new Date(2024, 11, 31, 23, 59).getTime(), now), 'Dec 31 2024 23:59');
});

test('sizes and durations', () => {
  assert.equal(formatBytes(42), '42 B');
  assert.equal(formatBytes(1260), '1.2 kB');
  assert.equal(formatBytes(3.4 * 1024 * 1024), '3.4 MB');
  assert.equal(formatDuration(4200), '4.2 s');
  assert.equal(formatDuration(65_000), '1 min 05 s');
});
