import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meter, report } from '../audio/mastering/index.ts';
import { musicLike } from '../audio/mastering/signals.ts';
import type { RenderedAudio } from '../audio/contract.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { CORRECTIONS, exportInput, startMastering, toFigure } from './mastering-step.ts';
import { onThisThread } from './mastering-work.ts';

function mix(seconds: number, gainDb: number): RenderedAudio {
  const audio = musicLike({ seconds, sampleRate: 44100, gainDb, drumsDb: -6 });
  return { ...audio, duration: seconds };
}

test('the rendered mix measured: seven rows in plain words, "none" first among the corrections', async () => {
  const rendered = mix(8, -8);
  let pauses = 0;
  const session = await startMastering(
    rendered,
    onThisThread(rendered, async () => void pauses++),
  );
  assert.equal(pauses, 1, 'one pause before measuring, so the dialog can say "Measuring…"');
  assert.deepEqual(
    session.before.report.map((f) => f.figure),
    ['Integrated loudness', 'Loudness range', 'True peak', 'Clipping', 'Stereo balance', 'Stereo correlation', 'DC offset'],
  );
  const expected = report(meter(rendered).measurements);
  session.before.report.forEach((row, i) => {
    assert.equal(row.words, expected[i]!.words);
    assert.equal(row.verdict, expected[i]!.verdict);
  });
  assert.match(session.before.report[0]!.value, /^−\d+\.\d LUFS$/);
  assert.match(session.before.report[2]!.value, /^−\d+\.\d dBTP$/);
  assert.equal(session.before.mix, undefined, '"none" saves the rendered mix');
  assert.equal(session.before.masteringChain, undefined, 'and writes no chain');
  assert.deepEqual(
    session.corrections.map((c) => c.id),
    ['none', 'streaming', 'podcast', 'broadcast'],
  );
  assert.deepEqual(
    CORRECTIONS.map((c) => c.label),
    ['None', 'Streaming (−14 LUFS)', 'Podcast (−16 LUFS)', 'Broadcast (−23 LUFS)'],
  );
});

test('a correction: new buffers on target under -1 dBTP, its figures re-measured, the chain and its sentence; undo is the original', async () => {
  const rendered = mix(10, -8);
  const original = rendered.channels.map((c) => c.slice());
  let pauses = 0;
  const session = await startMastering(
    rendered,
    onThisThread(rendered, async () => void pauses++),
  );
  const streaming = await session.apply('streaming');
  assert.equal(pauses, 2, 'a pause before correcting too');
  assert.deepEqual(rendered.channels, original, 'the rendered mix is untouched');
  assert.ok(streaming.mix && streaming.mix.channels[0] !== rendered.channels[0]);
  assert.equal(streaming.mix.duration, rendered.duration);
  assert.equal(streaming.mix.channels[0]!.length, rendered.channels[0]!.length);
  const after = meter(streaming.mix).measurements;
  assert.ok(Math.abs(after.integratedLufs - -14) <= 0.5, `corrected loudness ${after.integratedLufs}`);
  assert.ok(after.truePeakDbtp <= -1, `corrected true peak ${after.truePeakDbtp}`);
  assert.deepEqual(streaming.report, report(after).map(toFigure), "the rows shown are the corrected mix's own figures");
  const chain = streaming.masteringChain as {
    targetLufs: number;
    limiter: { ceilingDbtp: number };
    measuredAfter: { integratedLufs: number };
  };
  assert.equal(chain.targetLufs, -14);
  assert.equal(chain.limiter.ceilingDbtp, -1);
  assert.equal(chain.measuredAfter.integratedLufs, Math.round(after.integratedLufs * 100) / 100);
  assert.match(streaming.summary ?? '', /toward −14 LUFS/);

  // Switching is instant: each result is kept; "none" is the untouched original.
  assert.equal(await session.apply('streaming'), streaming);
  assert.equal(pauses, 2, 'nothing computed again');
  assert.equal(await session.apply('none'), session.before);
  const broadcast = await session.apply('broadcast');
  assert.ok(Math.abs(meter(broadcast.mix!).measurements.integratedLufs - -23) <= 0.5);
  assert.equal((broadcast.masteringChain as { targetLufs: number }).targetLufs, -23);
});

test('bad input: an unknown correction is refused by name; a silent mix offers only "none"', async () => {
  const session = await startMastering(mix(4, -8));
  await assert.rejects(session.apply('louder'), /Unknown loudness correction "louder": choose one of none, streaming, podcast, broadcast/);
  const silence: RenderedAudio = { sampleRate: 44100, channels: [new Float32Array(44100), new Float32Array(44100)], duration: 1 };
  const quiet = await startMastering(silence);
  assert.deepEqual(
    quiet.corrections.map((c) => c.id),
    ['none'],
  );
  assert.equal(quiet.before.report[0]!.value, '—');
  await assert.rejects(quiet.apply('streaming'), /silent/);
});

test('values as read: samples counted, balance with its side, correlation signed, DC in percent', () => {
  assert.equal(toFigure({ figure: 'clipping', value: 1, unit: 'samples', verdict: 'warn', words: '' }).value, '1 sample');
  assert.equal(toFigure({ figure: 'clipping', value: 12, unit: 'samples', verdict: 'problem', words: '' }).value, '12 samples');
  assert.equal(toFigure({ figure: 'stereo-balance', value: -2.34, unit: 'dB', verdict: 'warn', words: '' }).value, '2.3 dB right');
  assert.equal(toFigure({ figure: 'stereo-balance', value: 0.01, unit: 'dB', verdict: 'ok', words: '' }).value, '0.0 dB');
  assert.equal(toFigure({ figure: 'stereo-correlation', value: 0.456, unit: '', verdict: 'ok', words: '' }).value, '+0.46');
  assert.equal(toFigure({ figure: 'dc-offset', value: -0.2, unit: '%', verdict: 'ok', words: '' }).value, '−0.20 %');
  assert.equal(toFigure({ figure: 'loudness-range', value: 6.04, unit: 'LU', verdict: 'ok', words: '' }).value, '6.0 LU');
  assert.equal(toFigure({ figure: 'true-peak', value: 0.3, unit: 'dBTP', verdict: 'problem', words: '' }).value, '+0.3 dBTP');
  assert.equal(toFigure({ figure: 'stereo-balance', value: null, unit: 'dB', verdict: 'ok', words: '' }).value, '—');
});

test('what is saved: none encodes the very bytes of an export without mastering; a correction replaces the mix only', async () => {
  const rendered = mix(4, -8);
  const stems = [{ fileName: '01 Drums.wav', audio: { ...mix(4, -20), duration: 4 } }];
  const exported = { format: 'wav16' as const, mix: rendered, stems };
  const meta = { title: 'Song', provenance: 'Made in Riffroom' };
  // As encodeExport writes the mix (export-song.ts; its Opus path needs a browser).
  const encode = (input: { rendered: typeof exported; masteringChain?: Record<string, unknown> }) =>
    encodeWav(input.rendered.mix, { bitDepth: 16, metadata: { ...meta, masteringChain: input.masteringChain } });
  const plain = encodeWav(rendered, { bitDepth: 16, metadata: meta });
  const session = await startMastering(rendered);
  const none = exportInput(exported, await session.apply('none'));
  assert.equal(none.rendered, exported, 'the rendered export itself');
  assert.equal(none.masteringChain, undefined);
  assert.deepEqual(encode(none), plain, 'the same bytes as an export without mastering');
  assert.deepEqual(exportInput(exported, null), { rendered: exported });

  const streaming = await session.apply('streaming');
  const input = exportInput(exported, streaming);
  assert.equal(input.rendered.mix, streaming.mix);
  assert.equal(input.rendered.stems, exported.stems, 'the stems as rendered');
  assert.equal(exported.mix, rendered, 'the rendered export is not written');
  const icmt = decodeWav(encode(input)).info.ICMT ?? '';
  assert.match(icmt, /^Made in Riffroom\nMastering: \{"standard":"ITU-R BS.1770-4 \/ EBU R 128","targetLufs":-14,/);
});
