/**
 * scripts/check-watermark.ts as a user runs it: a marked WAV is reported found (exit 0), an
 * unmarked one not (exit 1), a file that is not audio is an error (exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embedWatermark } from '../core/watermark/index.ts';
import { musicLike } from '../renderer/audio/mastering/signals.ts';
import { encodeWav } from '../renderer/audio/wav.ts';

const CLI = new URL('../scripts/check-watermark.ts', import.meta.url).pathname;
const run = (...files: string[]) => spawnSync(process.execPath, [CLI, ...files], { encoding: 'utf8' });

test('check-watermark: found, not found, not audio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-watermark-cli-'));
  try {
    const music = musicLike({ seconds: 20, sampleRate: 44_100, seed: 8, gainDb: -6 });
    const marked = join(dir, 'marked.wav');
    const plain = join(dir, 'plain.wav');
    const junk = join(dir, 'junk.wav');
    writeFileSync(marked, encodeWav({ sampleRate: 44_100, channels: embedWatermark(music.channels, 44_100, 42n) }));
    writeFileSync(plain, encodeWav(music));
    writeFileSync(junk, 'not audio');

    const found = run(marked);
    assert.equal(found.status, 0, found.stderr);
    assert.match(found.stdout, /marked\.wav: Riffroom watermark found \(payload 000000000000002a,/);
    const none = run(plain);
    assert.equal(none.status, 1);
    assert.match(none.stdout, /plain\.wav: no Riffroom watermark found/);
    const bad = run(junk);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /junk\.wav: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
