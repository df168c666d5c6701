import { test } from 'node:test';
import assert from 'node:assert/strict';
import { provenanceRecord } from '../../core/provenance/record.ts';
import { addClip, moveNotes } from '../../core/song/edits.ts';
import { lastLabel } from '../../core/song/label-recorder.test-support.ts';
import { readSong } from '../../core/song/schema.ts';
import type { GenerationResult } from '../../inference/engine/request.ts';
import { planAction, type PanelContext } from './build-request.ts';
import { keepTake, sliceNotes, trackForPart } from './keep-take.ts';
import { generatedProvenance, readGeneratedDetail, summarizeProvenance } from './provenance.ts';
import { planReroll, rerollMatches } from './reroll.ts';
import { DEFAULT_SETTINGS } from './settings.ts';
import { band } from './song-fixture.test-support.ts';

const FOUR_FOUR = { numerator: 4, denominator: 4 };
const note = (tick: number, pitch = 40) => ({ pitch, tick, duration: 240, velocity: 100 });

/** A result as the engine shapes it, without running a model. */
function fakeResult(plan: ReturnType<typeof planAction>, notes: ReturnType<typeof note>[]): GenerationResult {
  const r = plan.request;
  return {
    variations: [
      { bars: 2, notes, chords: [], tokens: 10 },
      { bars: 2, notes: notes.slice(1), chords: [], tokens: 8 },
    ],
    provenance: {
      model: { id: 'test-model', sha256: 'abcdef0123456789' },
      engine: 'riffroom-engine/1',
      task: r.task,
      role: r.role,
      conditions: {
        style: r.style,
        key: r.key,
        meter: r.meter,
        bpm: r.bpm,
        energy: r.energy,
        bars: r.bars,
        mode: 'free',
        scaleLock: false,
        chords: true,
        locks: 0,
      },
      seed: r.seed,
      sampling: r.sampling,
      provider: 'cpu',
      timing: { firstNoteMs: 12, totalMs: 1234, promptTokens: 20, decodedTokens: 30, tokensPerSecond: 24 },
    },
  };
}

const ctx = (song: PanelContext['song'], patch: Partial<PanelContext> = {}): PanelContext => ({
  song,
  settings: { ...DEFAULT_SETTINGS, bars: 2, variations: 2, seed: 1234 },
  selectedClipId: null,
  playheadBar: 0,
  fill: { from: 0, to: 1 },
  lockedBars: [],
  ...patch,
});

test("a result's bars are sliced into the clip's ticks", () => {
  assert.deepEqual(sliceNotes([note(0), note(1920 * 4), note(1920 * 5 + 10)], FOUR_FOUR, { fromBar: 4, bars: 2 }), [note(0), note(1930)]);
});

test('keeping a new part: one labelled edit, on a free track of the role, with the full provenance', () => {
  const b = band();
  const plan = planAction('generate', ctx(readSong(b.doc)));
  const result = fakeResult(plan, [note(0), note(480), note(1920)]);
  const provenance = generatedProvenance(result, plan.request, { variation: 0, ...plan.slice }, 'alice', new Date('2025-05-01T20:15:00Z'));
  let transactions = 0;
  b.doc.on('afterTransaction', () => transactions++);
  // Bars 1-2 of the bass track hold the fixture's clip: the new one goes on a new Bass track.
  const kept = keepTake(b.doc, plan.target, plan.slice, result.variations[0]!, provenance, plan.label, 'bass riff');
  assert.equal(transactions, 1, 'one transaction');
  assert.equal(lastLabel(b.doc), 'generated bass riff (seed 1234)');
  const song = readSong(b.doc);
  const clip = song.clips.find((c) => c.id === kept.clipId)!;
  const track = song.tracks.find((t) => t.id === clip.trackId)!;
  assert.deepEqual([track.name, track.role, clip.startBar, clip.lengthBars, clip.name], ['Bass 2', 'bass', 0, 2, 'bass riff']);
  assert.deepEqual(
    clip.notes.map((n) => n.tick),
    [0, 480, 1920],
  );
  const detail = readGeneratedDetail(clip.provenance)!;
  assert.equal(detail.requestedBy, 'alice');
  assert.equal(detail.requestedAt, '2025-05-01T20:15:00.000Z');
  assert.deepEqual(detail.request, plan.request, 'the exact request');
  assert.deepEqual(detail.model, { id: 'test-model', sha256: 'abcdef0123456789' });
  assert.deepEqual(detail.take, { variation: 0, fromBar: 0, bars: 2 });
  const summary = summarizeProvenance(detail, () => 'then');
  assert.deepEqual(summary, {
    model: 'test-model · abcdef01',
    seed: 1234,
    settings: 'generate · bass · any · E minor · 2 bars · steady · temp 1',
    take: 'variation 1 of 2',
    who: 'alice',
    when: 'then',
    engine: 'cpu · 1.2 s',
  });
  // The next bass part over bars 3-4 finds the new track free there (the first one is not).
  assert.equal(trackForPart(song, 'bass', { from: 2, to: 4 }, null), clip.trackId);

  // The clip remembers the notes kept: an export tells the model's notes as generated from a person's edits.
  const authorOf = (now: ReturnType<typeof readSong>) =>
    provenanceRecord(now, { trackId: clip.trackId }).clips.map((c) => [
      c.author.kind,
      c.author.kind === 'model' && c.author.editedByPerson,
    ]);
  assert.deepEqual(authorOf(song), [['model', false]]);
  assert.deepEqual(provenanceRecord(song, { trackId: clip.trackId }).summary.notes.modelAsGenerated, 3);
  moveNotes(b.doc, clip.id, [clip.notes[1]!.id], { ticks: 120 });
  const edited = readSong(b.doc);
  assert.deepEqual(authorOf(edited), [['model', true]]);
  const counts = provenanceRecord(edited, { trackId: clip.trackId }).summary.notes;
  assert.deepEqual([counts.modelAsGenerated, counts.modelEdited], [2, 1], 'one note moved by a person');
  assert.equal(trackForPart(song, 'bass', { from: 1, to: 4 }, null), null);
});

test("a continuation goes right after its clip on the same track; fill and vary replace the clip's notes", () => {
  const b = band();
  let song = readSong(b.doc);
  const cont = planAction('continue', ctx(song, { selectedClipId: b.bassClip }));
  keepTake(b.doc, cont.target, cont.slice, { notes: [note(0), note(4 * 1920 + 480, 43)], chords: [] }, null, cont.label, 'bass');
  song = readSong(b.doc);
  const after = song.clips.find((c) => c.trackId === b.bass && c.startBar === 4)!;
  assert.deepEqual(
    after.notes.map((n) => [n.tick, n.pitch]),
    [[480, 43]],
    'only the new bars',
  );
  assert.equal(lastLabel(b.doc), 'generated bass continuation (seed 1234)');

  const vary = planAction('vary', ctx(song, { selectedClipId: b.keysClip }));
  keepTake(b.doc, vary.target, vary.slice, { notes: [note(0, 60), note(8000, 62)], chords: [] }, null, vary.label, 'keys');
  const keys = readSong(b.doc).clips.find((c) => c.id === b.keysClip)!;
  assert.deepEqual(
    keys.notes.map((n) => n.pitch),
    [60],
    'what does not fit the clip is left out',
  );
  assert.equal(lastLabel(b.doc), 'generated keys variation (seed 1234)');
});

test('generated chords replace the chord track over their bars', () => {
  const b = band();
  const plan = planAction('generate', { ...ctx(readSong(b.doc)), settings: { ...DEFAULT_SETTINGS, role: 'chords', bars: 2 } });
  keepTake(
    b.doc,
    plan.target,
    plan.slice,
    {
      notes: [],
      chords: [
        { tick: 0, root: 0, quality: 'maj7' },
        { tick: 2880, root: 9, quality: 'm7' },
      ],
    },
    null,
    plan.label,
    '',
  );
  assert.deepEqual(
    readSong(b.doc).chords.map((c) => [c.tick, c.duration, c.symbol]),
    [
      [0, 2880, 'Cmaj7'],
      [2880, 960, 'Am7'],
      [3840, 1920, 'Gmaj7'],
      [5760, 1920, 'Cmaj7'],
    ],
  );
  assert.equal(lastLabel(b.doc), 'generated chords (seed 1234)');
});

test('re-roll plans: the stored request exactly, or with a new seed, replacing the clip', () => {
  const b = band();
  const plan = planAction('generate', ctx(readSong(b.doc), { playheadBar: 8 }));
  const result = fakeResult(plan, [note(0), note(480)]);
  const provenance = generatedProvenance(result, plan.request, { variation: 1, ...plan.slice }, 'bob', new Date());
  const { clipId } = keepTake(b.doc, plan.target, plan.slice, result.variations[1]!, provenance, plan.label, 'bass riff');
  const song = readSong(b.doc);
  const exact = planReroll(song, clipId!, null);
  assert.deepEqual(exact.request, plan.request);
  assert.deepEqual(exact.target, { kind: 'replace-clip', clipId });
  assert.deepEqual(exact.rerollOf, { clipId, exact: true, variation: 1 });
  assert.equal(exact.label, 're-rolled bass riff (seed 1234)');
  assert.equal(rerollMatches(song, exact, result), true);
  assert.equal(rerollMatches(song, exact, { ...result, variations: [result.variations[1]!, result.variations[0]!] }), false);
  const fresh = planReroll(song, clipId!, 99);
  assert.equal(fresh.request.seed, 99);
  assert.equal(fresh.label, 're-rolled bass riff (seed 99)');
  assert.throws(() => planReroll(song, b.bassClip, null), /not written by the AI bandmate/);
});

test('provenance from a bandmate is checked before it is shown', () => {
  assert.equal(readGeneratedDetail(null), null);
  assert.equal(readGeneratedDetail({ source: 'user' }), null);
  assert.equal(readGeneratedDetail({ source: 'model', detail: { format: 'riffroom-generator/1', model: 'x' } }), null);
  assert.equal(readGeneratedDetail({ source: 'model', detail: { format: 'other' } }), null);
});

test('a clip added meanwhile on the same bars sends the part to another track', () => {
  const b = band();
  const plan = planAction('generate', ctx(readSong(b.doc), { playheadBar: 6 }));
  addClip(b.doc, { trackId: b.bass, startBar: 6, lengthBars: 1 });
  const { clipId } = keepTake(b.doc, plan.target, plan.slice, { notes: [note(0)], chords: [] }, null, plan.label, 'bass');
  assert.notEqual(readSong(b.doc).clips.find((c) => c.id === clipId)!.trackId, b.bass);
});
