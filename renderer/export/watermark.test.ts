import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectWatermark } from '../../core/watermark/index.ts';
import * as f from '../audio/fixtures.ts';
import { musicLike } from '../audio/mastering/signals.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { exportPayload, formatPayload, hasModelParts, watermarkRendered } from './watermark.ts';

test('the mark is on by default only where the exported bars hold a part the model wrote', () => {
  const song = f.bandSong();
  assert.equal(hasModelParts(song), false);
  const withModel = { ...song, clips: song.clips.map((c, i) => (i === 1 ? { ...c, provenance: { source: 'model' as const } } : c)) };
  assert.equal(hasModelParts(withModel), true);
  assert.equal(hasModelParts(withModel, { fromBar: 2, toBar: 4 }), false, 'the model clip is in bars 0–1');
});

test('the payload names the export: title and moment, 64 bits, shown as 16 hex digits', () => {
  const at = new Date('2026-12-06T20:00:00Z');
  const a = exportPayload('Song', at);
  assert.ok(a >= 0n && a < 1n << 64n);
  assert.equal(exportPayload('Song', at), a);
  assert.notEqual(exportPayload('Song', new Date(at.getTime() + 1)), a);
  assert.notEqual(exportPayload('Other', at), a);
  assert.match(formatPayload(0xabn), /^0{14}ab$/);
});

test('the mix and each stem are marked (and survive 16-bit WAV); the rendered buffers are left alone', () => {
  const audio = musicLike({ seconds: 30, sampleRate: 44100, seed: 2, gainDb: -6 });
  const stemAudio = { ...audio, channels: audio.channels.map((c) => c.map((v) => v * 0.5)), duration: 30 };
  const rendered = {
    format: 'wav16' as const,
    mix: { ...audio, duration: 30 },
    stems: [{ track: f.track('keys', 'keys'), fileName: '01 keys.wav', audio: stemAudio }],
  };
  const marked = watermarkRendered(rendered, 0x1234_5678_9abc_def0n);
  assert.equal(rendered.mix.channels[0], audio.channels[0], 'the rendered mix is left as it was');
  assert.equal(marked.stems[0]!.fileName, '01 keys.wav');
  // As encodeExport writes them (export-song.ts; its Opus path needs a browser): 16-bit WAV.
  const read = (pcm: { sampleRate: number; channels: Float32Array[] }) => {
    const wav = decodeWav(encodeWav(pcm, { bitDepth: 16 }));
    return detectWatermark(wav.channels, wav.sampleRate);
  };
  assert.equal(read(rendered.mix).found, false);
  const mix = read(marked.mix);
  assert.equal(mix.found, true, `mix confidence ${mix.confidence}`);
  assert.equal(mix.payload, 0x1234_5678_9abc_def0n, 'the export is named');
  const stem = read(marked.stems[0]!.audio);
  assert.equal(stem.found, true, `stem confidence ${stem.confidence}`);
  assert.equal(stem.payload, 0x1234_5678_9abc_def0n);
});
