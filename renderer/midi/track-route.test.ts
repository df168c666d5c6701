import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedRoute, DRUM_CHANNEL, defaultChannel, LIGHT_MS, lit, routeLabel } from './track-route.ts';

const outputs = [
  { id: 'iac', name: 'IAC 1', connected: true },
  { id: 'synth', name: 'Synth', connected: false },
];
const ready = { status: 'ready' as const, problem: null, outputs };

test('a new route takes channel 10 for drums, 1 otherwise, and "also"', () => {
  assert.equal(defaultChannel('drums'), DRUM_CHANNEL);
  assert.equal(DRUM_CHANNEL + 1, 10);
  assert.equal(defaultChannel('bass'), 0);
  assert.equal(defaultChannel(undefined), 0);
  assert.deepEqual(changedRoute(undefined, { portId: 'iac' }, 'drums'), { portId: 'iac', channel: 9, mode: 'also' });
  assert.deepEqual(changedRoute(undefined, { portId: 'iac' }, 'keys'), { portId: 'iac', channel: 0, mode: 'also' });
});

test('a change keeps the rest of the route; no port means no route', () => {
  const old = { portId: 'iac', channel: 4, mode: 'instead' as const };
  assert.deepEqual(changedRoute(old, { channel: 11 }, 'drums'), { portId: 'iac', channel: 11, mode: 'instead' });
  assert.deepEqual(changedRoute(old, { portId: 'synth' }, 'drums'), { portId: 'synth', channel: 4, mode: 'instead' });
  assert.deepEqual(changedRoute(old, { mode: 'also' }, 'bass'), { portId: 'iac', channel: 4, mode: 'also' });
  assert.equal(changedRoute(old, { portId: '' }, 'bass'), null);
  assert.equal(changedRoute(old, null, 'bass'), null);
  assert.equal(changedRoute(undefined, { channel: 3 }, 'bass'), null, 'a channel alone routes nothing');
});

test("the header button's words: port and channel, off, a port not here, MIDI not in use", () => {
  assert.deepEqual(routeLabel(ready, { portId: 'iac', channel: 9, mode: 'also' }, 'Drums'), {
    state: 'routed',
    text: 'IAC 1',
    channel: 'ch 10',
    description: "Drums's MIDI out: IAC 1, channel 10, also heard here",
  });
  assert.match(
    routeLabel(ready, { portId: 'iac', channel: 0, mode: 'instead' }, 'Bass').description,
    /channel 1, instead of the sound here$/,
  );
  assert.deepEqual(routeLabel(ready, undefined, 'Bass'), {
    state: 'off',
    text: 'MIDI off',
    channel: '',
    description: "Bass's MIDI out: not sent",
  });
  const gone = routeLabel(ready, { portId: 'synth', channel: 2, mode: 'instead' }, 'Keys');
  assert.equal(gone.state, 'missing');
  assert.equal(gone.text, 'Synth');
  assert.match(gone.description, /Synth \(not connected\), channel 3, heard here until it is back/);
  assert.equal(routeLabel(ready, { portId: 'old-id', channel: 0, mode: 'also' }, 'Keys').text, 'old-id', 'a port never seen: its id');

  const off = routeLabel({ status: 'off', problem: null, outputs: [] }, { portId: 'iac', channel: 0, mode: 'also' }, 'Bass');
  assert.deepEqual([off.state, off.text, off.channel], ['unavailable', 'MIDI ports off', '']);
  assert.equal(routeLabel({ status: 'asking', problem: null, outputs: [] }, undefined, 'Bass').text, 'Asking…');
  const refused = routeLabel({ status: 'problem', problem: 'MIDI access refused: no', outputs: [] }, undefined, 'Bass');
  assert.deepEqual([refused.text, refused.description], ['No MIDI', "Bass's MIDI out: MIDI access refused: no"]);
});

test('a light is on for LIGHT_MS after its message', () => {
  assert.equal(lit(undefined, 1000), false);
  assert.equal(lit(1000, 1000), true);
  assert.equal(lit(1000, 1000 + LIGHT_MS - 1), true);
  assert.equal(lit(1000, 1000 + LIGHT_MS), false);
});
