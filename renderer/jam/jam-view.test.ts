import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings, saveSettings, withLiveNote } from './jam-view.ts';

test('settings come back as saved, but typing and AI answers start off', () => {
  const stored = new Map<string, string>();
  const storage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
  assert.equal(loadSettings(storage).compensationMs, 0);
  saveSettings({ compensationMs: 12, typing: true, quantize: '8th', aiAnswers: true, aiBars: 4 }, storage);
  assert.deepEqual(loadSettings(storage), { compensationMs: 12, typing: false, quantize: '8th', aiAnswers: false, aiBars: 4 });
  stored.set('riffroom.jam.settings', '{not json');
  assert.equal(loadSettings(storage).quantize, '16th');
});

test('live indicators count held keys and keep the last latency heard', () => {
  let liveBy = withLiveNote({}, { id: 'b', name: 'bob', pitch: 60, kind: 'on', latencyMs: 12.345, at: 100 });
  liveBy = withLiveNote(liveBy, { id: 'b', name: 'bob', pitch: 64, kind: 'on', latencyMs: null, at: 110 });
  assert.deepEqual(liveBy.b, { name: 'bob', lastAt: 110, latencyMs: 12.3, pitch: 64, held: 2 });
  liveBy = withLiveNote(liveBy, { id: 'b', name: 'bob', pitch: 64, kind: 'off', latencyMs: 20, at: 120 });
  liveBy = withLiveNote(liveBy, { id: 'b', name: 'bob', pitch: 60, kind: 'off', latencyMs: 20, at: 130 });
  liveBy = withLiveNote(liveBy, { id: 'b', name: 'bob', pitch: 60, kind: 'off', latencyMs: 20, at: 140 });
  assert.equal(liveBy.b!.held, 0, 'never below none');
});
