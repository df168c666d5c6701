import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampledVoice, type SamplerPort } from './sampled-voice.ts';
import type { SamplerPatch } from './patch.ts';

const PIANO: SamplerPatch = { id: 'grand-piano', bank: 0, program: 0, drums: false };
const KIT: SamplerPatch = { id: 'acoustic-kit', bank: 128, program: 0, drums: true };

function recorder(): { port: SamplerPort; log: string[] } {
  const log: string[] = [];
  return {
    log,
    port: {
      connect: (slot) => void log.push(`connect ${slot}`),
      disconnect: (slot) => void log.push(`disconnect ${slot}`),
      setPatch: (ch, p, t) => void log.push(`patch ${ch} ${p.id} @${t}`),
      noteOn: (ch, pitch, v, t) => void log.push(`on ${ch} ${pitch} ${v} @${t}`),
      noteOff: (ch, pitch, t) => void log.push(`off ${ch} ${pitch} @${t}`),
      cut: (ch, t) => void log.push(`cut ${ch} @${t}`),
    },
  };
}

test('a voice sets its channel up before its first note, and sends note-off at the end of the note', () => {
  const { port, log } = recorder();
  const voice = new SampledVoice(port, 3, {}, PIANO);
  voice.play(60, 1, 0.5, 100);
  voice.play(64, 1.5, 0.25, 90);
  assert.deepEqual(log, ['connect 3', 'patch 3 grand-piano @1', 'on 3 60 100 @1', 'off 3 60 @1.5', 'on 3 64 90 @1.5', 'off 3 64 @1.75']);
});

test('silence cuts the channel at its time and moves on to a fresh channel of the same output', () => {
  const { port, log } = recorder();
  const voice = new SampledVoice(port, 2, {}, PIANO);
  voice.play(60, 1, 4, 100);
  voice.silence(2);
  voice.silence(2.1); // nothing played since: nothing to cut
  voice.play(62, 3, 1, 100);
  assert.deepEqual(log.slice(4), ['cut 2 @2', 'patch 18 grand-piano @3', 'on 18 62 100 @3', 'off 18 62 @4']);
  // Generations cycle: 2, 18, 34, 50, 2...
  for (let i = 0; i < 3; i++) {
    voice.silence(5 + i);
    voice.play(60, 5.5 + i, 0.1, 100);
  }
  assert.equal(voice.channel, 2);
});

test('a new patch cuts what sounds; the same one changes nothing', () => {
  const { port, log } = recorder();
  const voice = new SampledVoice(port, 0, {}, PIANO);
  voice.play(60, 1, 1, 100);
  voice.setPatch(PIANO, 1.2);
  assert.equal(log.filter((l) => l.startsWith('cut')).length, 0);
  voice.setPatch(KIT, 1.5);
  voice.play(38, 2, 0.1, 100);
  assert.deepEqual(log.slice(4), ['cut 0 @1.5', 'patch 16 acoustic-kit @2', 'on 16 38 100 @2', 'off 16 38 @2.1']);
  voice.dispose(3);
  assert.deepEqual(log.slice(-2), ['cut 16 @3', 'disconnect 0']);
});

test('a voice is ready when its sampler has its patch; a new patch is asked for at once', () => {
  const { port } = recorder();
  const have = new Set(['grand-piano']);
  const asked: string[] = [];
  const voice = new SampledVoice({ ...port, isReady: (p) => have.has(p.id), prepare: (p) => void asked.push(p.id) }, 0, {}, PIANO);
  assert.equal(voice.ready, true);
  voice.setPatch(KIT, 1);
  assert.deepEqual(asked, ['acoustic-kit']);
  assert.equal(voice.ready, false, 'the kit is not decoded yet');
  have.add('acoustic-kit');
  assert.equal(voice.ready, true);
  // A sampler that cannot say (the offline render's port) plays everything.
  assert.equal(new SampledVoice(port, 1, {}, KIT).ready, true);
});
