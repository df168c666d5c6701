import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampLatency, DEFAULT_MIDI_SETTINGS, loadMidiSettings, saveMidiSettings } from './midi-settings.ts';

function memory() {
  const data = new Map<string, string>();
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
}

test('routes are kept per room, ports and latencies per machine; clock in starts off', () => {
  const storage = memory();
  saveMidiSettings(
    'band',
    {
      routes: { t1: { portId: 'iac', channel: 2, mode: 'instead' } },
      live: { portId: 'iac', channel: 5 },
      clockOut: 'iac',
      clockIn: 'daw-in',
      latencyMs: { iac: 12.34 },
    },
    storage,
  );
  const back = loadMidiSettings('band', storage);
  assert.deepEqual(back.routes, { t1: { portId: 'iac', channel: 2, mode: 'instead' } });
  assert.deepEqual(back.live, { portId: 'iac', channel: 5 });
  assert.equal(back.clockOut, 'iac');
  assert.equal(back.clockIn, null);
  assert.deepEqual(back.latencyMs, { iac: 12.3 });
  const other = loadMidiSettings('another-room', storage);
  assert.deepEqual(other.routes, {}, "another room's tracks are not this one's");
  assert.equal(other.clockOut, 'iac', 'the machine settings hold in every room');
  assert.ok(![...storage.data.values()].some((v) => v.includes('daw-in')), 'clock in is not saved');
});

test('malformed storage gives the defaults; bad routes and latencies are dropped or clamped', () => {
  const storage = memory();
  storage.setItem('riffroom.midi', '{not json');
  storage.setItem(
    'riffroom.midi.routes.r',
    JSON.stringify({ a: { portId: 'x', channel: 16 }, b: { portId: 'y', channel: 0, mode: 'odd' } }),
  );
  const s = loadMidiSettings('r', storage);
  assert.deepEqual(s.routes, { b: { portId: 'y', channel: 0, mode: 'also' } });
  assert.deepEqual({ ...s, routes: {} }, DEFAULT_MIDI_SETTINGS);
  assert.equal(clampLatency(9999), 500);
  assert.equal(clampLatency('5'), 0);
  assert.deepEqual(
    loadMidiSettings('r', {
      getItem: () => {
        throw new Error('denied');
      },
    }),
    DEFAULT_MIDI_SETTINGS,
  );
});
