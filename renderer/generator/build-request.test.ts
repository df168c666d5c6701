import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setClipLocked, setLoop, setMeter } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import type { Song } from '../../core/song/types.ts';
import { checkRequest, MAX_VARIATIONS as ENGINE_MAX_VARIATIONS } from '../../inference/engine/plan.ts';
import { DEFAULT_SAMPLING } from '../../inference/engine/sampler.ts';
import { isAiTakeLabel } from '../../core/song/edit-labels.ts';
import { actionBlocked, planAction, takeLabel, type GeneratorAction, type PanelContext } from './build-request.ts';
import { DEFAULT_FOLLOW_CHORDS } from '../../inference/contract.ts';
import { clampSettings, DEFAULT_SETTINGS, followChordsShown, MAX_VARIATIONS, TOP_K, TOP_P, type GeneratorSettings } from './settings.ts';
import { band } from './song-fixture.test-support.ts';

function context(song: Song, patch: Partial<PanelContext> = {}, settings: Partial<GeneratorSettings> = {}): PanelContext {
  return {
    song,
    settings: { ...DEFAULT_SETTINGS, ...settings },
    selectedClipId: null,
    playheadBar: 0,
    fill: { from: 1, to: 3 },
    lockedBars: [],
    ...patch,
  };
}

test("the panel's limits and sampling defaults are the engine's", () => {
  assert.equal(MAX_VARIATIONS, ENGINE_MAX_VARIATIONS);
  assert.equal(TOP_K, DEFAULT_SAMPLING.topK);
  assert.equal(TOP_P, DEFAULT_SAMPLING.topP);
});

test("generate: the song's key, meter, tempo and chords; a new clip at the playhead bar (or the loop start)", () => {
  const { doc } = band();
  const plan = planAction(
    'generate',
    context(readSong(doc), { playheadBar: 2.4 }, { role: 'bass', style: 'funk', bars: 2, seed: 77, variations: 2 }),
  );
  checkRequest(plan.request);
  assert.deepEqual(plan.request, {
    task: 'generate',
    role: 'bass',
    style: 'funk',
    key: { tonic: 4, mode: 'minor' },
    meter: { numerator: 4, denominator: 4 },
    bpm: 100,
    energy: 2,
    bars: 2,
    variations: 2,
    seed: 77,
    sampling: { temperature: 1, topK: 0, topP: 0.95 },
    scaleLock: false,
    mode: 'free',
    chords: [
      { tick: 0, root: 7, quality: 'maj7' },
      { tick: 1920, root: 0, quality: 'maj7' },
    ],
  });
  assert.deepEqual(plan.target, { kind: 'new-clip', role: 'bass', range: { from: 2, to: 4 }, preferTrackId: null });
  assert.equal(plan.label, 'generated bass riff (seed 77)');
  setLoop(doc, { startBar: 1, endBar: 3 });
  assert.deepEqual(planAction('generate', context(readSong(doc), { playheadBar: 2.4 })).target, {
    kind: 'new-clip',
    role: 'bass',
    range: { from: 1, to: 5 },
    preferTrackId: null,
  });
});

test("drums take no key and no chords; the chord role writes the chord track; a chosen key wins over the song's", () => {
  const song = readSong(band().doc);
  const drums = planAction('generate', context(song, {}, { role: 'drums', scaleLock: true }));
  assert.equal(drums.request.key, null);
  assert.equal(drums.request.chords, null);
  assert.equal(drums.request.scaleLock, false);
  assert.equal(drums.label, 'generated drum riff (seed 1234)');
  const chords = planAction('generate', context(song, {}, { role: 'chords', bars: 8 }));
  assert.deepEqual(chords.target, { kind: 'chord-track', range: { from: 0, to: 8 } });
  assert.equal(chords.label, 'generated chords (seed 1234)');
  const keyed = planAction('generate', context(song, {}, { key: { tonic: 2, mode: 'major' } }));
  assert.deepEqual(keyed.request.key, { tonic: 2, mode: 'major' });
});

test("continue: the clip's notes and the new bars after it, written as a clip right after it on its track", () => {
  const b = band();
  const song = readSong(b.doc);
  const plan = planAction('continue', context(song, { selectedClipId: b.bassClip }, { role: 'drums', bars: 2 }));
  checkRequest(plan.request);
  assert.equal(plan.request.role, 'bass', "the clip's track decides the role");
  assert.equal(plan.request.clip!.bars, 4);
  assert.equal(plan.request.clip!.notes!.length, 16);
  assert.equal(plan.request.bars, 2);
  assert.deepEqual(plan.slice, { fromBar: 4, bars: 2 });
  assert.deepEqual(plan.newBars, { from: 4, to: 6 });
  assert.deepEqual(plan.target, { kind: 'new-clip', role: 'bass', range: { from: 4, to: 6 }, preferTrackId: b.bass });
  // Chords over the clip's bars and the new ones: bars 5-6 have none, so they end on "no chord".
  assert.deepEqual(plan.request.chords!.at(-1), { tick: 4 * 1920, root: null, quality: 'maj' });
});

test("fill: bars i..j of the clip with its locks and mode; the clip's notes are replaced", () => {
  const b = band();
  const song = readSong(b.doc);
  const plan = planAction(
    'infill',
    context(song, { selectedClipId: b.bassClip, fill: { from: 1, to: 3 }, lockedBars: [2, 9] }, { mode: 'keep-rhythm', scaleLock: true }),
  );
  checkRequest(plan.request);
  assert.deepEqual(plan.request.infill, { from: 1, to: 3 });
  assert.deepEqual(plan.request.locks, { bars: [2] });
  assert.equal(plan.request.mode, 'keep-rhythm');
  assert.equal(plan.request.scaleLock, true);
  assert.deepEqual(plan.target, { kind: 'replace-clip', clipId: b.bassClip });
  assert.deepEqual(plan.newBars, { from: 1, to: 3 });
  assert.equal(plan.label, 'generated bass fill, bars 2–3 (seed 1234)');
});

test("vary: note locks by id become indices into the request's notes", () => {
  const b = band();
  const song = readSong(b.doc);
  const clip = song.clips.find((c) => c.id === b.keysClip)!;
  const plan = planAction(
    'vary',
    context(song, { selectedClipId: b.keysClip, lockedNoteIds: [clip.notes[3]!.id, clip.notes[0]!.id, 'gone'] }),
  );
  checkRequest(plan.request);
  assert.deepEqual(plan.request.locks, { notes: [0, 3] });
  assert.deepEqual(plan.request.clip!.notes![3], {
    pitch: clip.notes[3]!.pitch,
    tick: clip.notes[3]!.tick,
    duration: clip.notes[3]!.duration,
    velocity: clip.notes[3]!.velocity,
  });
});

test('accompany: the other tracks in the same bars (muted ones left out) and the chord track', () => {
  const b = band();
  const song = readSong(b.doc);
  const plan = planAction('accompany', context(song, { selectedClipId: b.drumClip }, { role: 'lead' }));
  checkRequest(plan.request);
  assert.deepEqual(
    plan.request.tracks!.map((t) => [t.role, t.part.bars, t.part.notes!.length]),
    [
      ['drums', 4, 16],
      ['bass', 4, 16],
      ['keys', 4, 16],
    ],
  );
  assert.equal(plan.request.chords!.length, 4);
  assert.deepEqual(plan.target, { kind: 'new-clip', role: 'lead', range: { from: 0, to: 4 }, preferTrackId: null });
  const muted = { ...song, tracks: song.tracks.map((t) => (t.role === 'keys' ? { ...t, mute: true } : t)) };
  assert.deepEqual(
    planAction('accompany', context(muted, { selectedClipId: b.drumClip }, { role: 'lead' })).request.tracks!.map((t) => t.role),
    ['drums', 'bass'],
  );
});

test('what must be fixed first is said in words', () => {
  const b = band();
  const song = readSong(b.doc);
  for (const action of ['continue', 'infill', 'vary'] as GeneratorAction[]) {
    assert.match(actionBlocked(action, context(song))!, /^Select a clip to/);
  }
  assert.equal(actionBlocked('generate', context(song)), null);
  assert.equal(actionBlocked('accompany', context(song)), null);
  setClipLocked(b.doc, b.bassClip, true);
  const locked = readSong(b.doc);
  assert.match(actionBlocked('vary', context(locked, { selectedClipId: b.bassClip }))!, /locked/);
  assert.equal(actionBlocked('continue', context(locked, { selectedClipId: b.bassClip })), null, 'continuing leaves the clip as it is');
  assert.match(
    actionBlocked('vary', context(song, { selectedClipId: b.bassClip, lockedBars: [1] }, { mode: 'keep-notes' }))!,
    /keeps every note/,
  );
  setMeter(b.doc, { numerator: 5, denominator: 8 });
  assert.match(actionBlocked('generate', context(readSong(b.doc)))!, /does not play in 5\/8/);
});

test('settings out of range are clamped before they reach a request', () => {
  const song = readSong(band().doc);
  const plan = planAction('generate', context(song, {}, { bars: 40, variations: 0, energy: 9, temperature: 7, seed: -3 }));
  checkRequest(plan.request);
  assert.deepEqual(
    [plan.request.bars, plan.request.variations, plan.request.energy, plan.request.sampling.temperature, plan.request.seed],
    [16, 1, 4, 2, 0],
  );
  assert.equal(takeLabel(plan.request, { rerolled: true }), 're-rolled bass riff (seed 0)');
  // The history and the server's take-back know the AI's edits by these labels.
  assert.ok(isAiTakeLabel(takeLabel(plan.request)) && isAiTakeLabel(takeLabel(plan.request, { rerolled: true })));
});

test('notes flagged locked (as the clip editor keeps them) are locked in the request', () => {
  const b = band();
  const song = readSong(b.doc);
  const clips = song.clips.map((c) =>
    c.id === b.bassClip ? { ...c, notes: c.notes.map((n, i) => (i === 2 ? { ...n, locked: true } : n)) } : c,
  );
  const plan = planAction('vary', context({ ...song, clips }, { selectedClipId: b.bassClip }));
  assert.deepEqual(plan.request.locks, { notes: [2] });
});

test("follow the chords: the role's default until chosen; a chosen strength goes to pitched parts only", () => {
  const song = readSong(band().doc);
  assert.equal(DEFAULT_SETTINGS.followChords, null);
  const byDefault = planAction('generate', context(song, {}, { role: 'keys' }));
  assert.equal('followChords' in byDefault.request, false, 'unnamed: the engine applies the role default');
  assert.equal(followChordsShown({ role: 'keys', followChords: null }), DEFAULT_FOLLOW_CHORDS.keys);
  assert.equal(followChordsShown({ role: 'lead', followChords: null }), DEFAULT_FOLLOW_CHORDS.lead);
  const chosen = planAction('generate', context(song, {}, { role: 'bass', followChords: 0.4 }));
  checkRequest(chosen.request);
  assert.equal(chosen.request.followChords, 0.4);
  assert.equal(followChordsShown({ role: 'bass', followChords: 0.4 }), 0.4);
  assert.equal('followChords' in planAction('generate', context(song, {}, { role: 'drums', followChords: 0.4 })).request, false);
  assert.equal('followChords' in planAction('generate', context(song, {}, { role: 'chords', followChords: 0.4 })).request, false);
  // Typed or dragged out of range, it is clamped before the engine sees it.
  assert.equal(planAction('generate', context(song, {}, { role: 'lead', followChords: 1.7 })).request.followChords, 1);
  assert.equal(planAction('generate', context(song, {}, { role: 'lead', followChords: -1 })).request.followChords, 0);
  assert.equal(clampSettings({ ...DEFAULT_SETTINGS, followChords: Number.NaN }).followChords, null);
});
