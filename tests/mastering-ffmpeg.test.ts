/**
 * The loudness meter (renderer/audio/mastering) against an independent implementation: Debian's
 * ffmpeg and its `ebur128=peak=true` filter, run on the same 16-bit WAV files (written to a temp
 * dir with renderer/audio/wav.ts, and measured here after decoding them back, so both read the
 * same samples). Integrated loudness must agree within 0.1 LU (issue 15), loudness range within
 * 0.5 LU, true peak within 0.2 dB (ffmpeg oversamples to 192 kHz with libswresample's filter, not
 * the BS.1770 interpolator, so true peaks differ a little by design).
 *
 * ffmpeg is needed: scripts/setup-audio-tools.sh installs it; without it these tests fail saying so.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, encodeWav, type PcmAudio } from '../renderer/audio/wav.ts';
import { correctLoudness } from '../renderer/audio/mastering/correct.ts';
import { meter } from '../renderer/audio/mastering/meter.ts';
import { musicLike, random, taperedSine, toneSequence } from '../renderer/audio/mastering/signals.ts';

interface Ebur128 {
  integratedLufs: number;
  loudnessRangeLu: number;
  truePeakDbtp: number;
}

/**
 * Runs ffmpeg's ebur128 filter with metadata=1 and reads the last frame's values (three decimals,
 * where the printed summary has one): lavfi.r128.I, .LRA and the linear .true_peak.
 */
function ffmpegEbur128(file: string): Promise<Ebur128> {
  const metadata = `${file}.meta.txt`;
  const args = [
    '-hide_banner',
    '-nostats',
    '-i',
    file,
    '-af',
    `ebur128=metadata=1:peak=true,ametadata=mode=print:file=${metadata}`,
    '-f',
    'null',
    '-',
  ];
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', args, { maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new Error('ffmpeg is not installed: bash scripts/setup-audio-tools.sh installs it (as root, from apt)'));
      }
      if (err) return reject(new Error(`ffmpeg failed on ${file}: ${stderr.slice(-2000)}`));
      const text = readFileSync(metadata, 'utf8');
      const last = (key: string) => {
        const values = [...text.matchAll(new RegExp(`^lavfi\\.r128\\.${key.replace(/\./g, '\\.')}=(\\S+)$`, 'gm'))].map((m) =>
          Number(m[1]),
        );
        if (values.length === 0) throw new Error(`ffmpeg wrote no lavfi.r128.${key} for ${file}`);
        return values.at(-1)!;
      };
      resolve({ integratedLufs: last('I'), loudnessRangeLu: last('LRA'), truePeakDbtp: 20 * Math.log10(last('true_peak')) });
    });
  });
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'riffroom-ebur128-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Writes the audio as a 16-bit WAV, measures it with ffmpeg and (decoded back) with the meter. */
async function both(name: string, audio: PcmAudio) {
  const file = join(dir, `${name}.wav`);
  const bytes = encodeWav(audio);
  writeFileSync(file, bytes);
  const ours = meter(decodeWav(bytes)).measurements;
  const theirs = await ffmpegEbur128(file);
  return { ours, theirs };
}

function agree(t: TestContext, name: string, ours: Ebur128, theirs: Ebur128, checkRange = true) {
  const report = `${name}: ours I ${ours.integratedLufs.toFixed(3)} LRA ${ours.loudnessRangeLu.toFixed(2)} TP ${ours.truePeakDbtp.toFixed(2)}; ffmpeg I ${theirs.integratedLufs} LRA ${theirs.loudnessRangeLu} TP ${theirs.truePeakDbtp.toFixed(2)}`;
  t.diagnostic(report);
  assert.ok(Math.abs(ours.integratedLufs - theirs.integratedLufs) <= 0.1, report);
  if (checkRange) assert.ok(Math.abs(ours.loudnessRangeLu - theirs.loudnessRangeLu) <= 0.5, report);
  assert.ok(Math.abs(ours.truePeakDbtp - theirs.truePeakDbtp) <= 0.2, report);
}

for (const rate of [44100, 48000]) {
  test(`at ${rate} Hz: music-like mixes (drums of noise bursts, chords, bass) read as ffmpeg reads them`, async (t) => {
    for (const [name, options] of [
      ['music', { seconds: 30, sampleRate: rate, seed: 1 }],
      ['music-quiet-dense', { seconds: 30, sampleRate: rate, seed: 2, gainDb: -12, drumsDb: -6 }],
    ] as const) {
      const { ours, theirs } = await both(`${name}-${rate}`, musicLike(options));
      agree(t, `${name} at ${rate} Hz`, ours, theirs);
    }
  });

  test(`at ${rate} Hz: Tech 3341 tones (steady, gated) and a Tech 3342 range case read as ffmpeg reads them`, async (t) => {
    const cases: [string, PcmAudio][] = [
      ['3341-1', toneSequence(rate, [{ seconds: 20, dbfs: -23 }])],
      [
        '3341-4',
        toneSequence(rate, [
          { seconds: 10, dbfs: -72 },
          { seconds: 10, dbfs: -36 },
          { seconds: 60, dbfs: -23 },
          { seconds: 10, dbfs: -36 },
          { seconds: 10, dbfs: -72 },
        ]),
      ],
      [
        '3342-4',
        toneSequence(
          rate,
          [-50, -35, -20, -35, -50].map((dbfs) => ({ seconds: 20, dbfs })),
        ),
      ],
    ];
    for (const [name, audio] of cases) {
      const { ours, theirs } = await both(`${name}-${rate}`, audio);
      agree(t, `${name} at ${rate} Hz`, ours, theirs);
    }
  });

  test(`at ${rate} Hz: inter-sample peaks over 0 dBTP read as ffmpeg reads them`, async (t) => {
    // A sine at fs/4 and 45° with samples at -0.5 dBFS peaks near +2.5 dBTP between them, over
    // quiet noise so the loudness gates have something to do as well.
    const rand = random(5);
    const tone = taperedSine(rate, rate / 4, 1.41 * 10 ** (-0.5 / 20), 45, 2);
    const left = new Float32Array(rate * 6).map(() => 0.05 * (rand() * 2 - 1));
    left.set(tone, rate * 2);
    const right = left.map((v) => v * 0.5);
    const { ours, theirs } = await both(`isp-${rate}`, { sampleRate: rate, channels: [left, right] });
    assert.ok(ours.truePeakDbtp > 2, `true peak ${ours.truePeakDbtp}`);
    agree(t, `inter-sample peaks at ${rate} Hz`, ours, theirs, false);
  });
}

test('a mix corrected to -14 LUFS reads, in ffmpeg, what its chain records: on target, true peak under -1 dBTP', async (t) => {
  const audio = musicLike({ seconds: 30, sampleRate: 44100, seed: 3, gainDb: -6, drumsDb: -6 });
  const { audio: corrected, chain } = correctLoudness(audio, { target: 'streaming' });
  assert.ok(chain.limiter.maxReductionDb > 0, 'the limiter had work to do');
  const { ours, theirs } = await both('corrected-44100', corrected);
  agree(t, 'corrected to -14 LUFS', ours, theirs);
  assert.ok(
    Math.abs(theirs.integratedLufs - chain.measuredAfter.integratedLufs) <= 0.1,
    `ffmpeg I ${theirs.integratedLufs}, chain ${chain.measuredAfter.integratedLufs}`,
  );
  assert.ok(Math.abs(theirs.integratedLufs - -14) <= 0.5, `ffmpeg I ${theirs.integratedLufs}`);
  // The 16-bit file rounds samples by up to half a step; ffmpeg's interpolator differs by a few hundredths.
  assert.ok(theirs.truePeakDbtp <= -0.9, `ffmpeg true peak ${theirs.truePeakDbtp}`);
});
