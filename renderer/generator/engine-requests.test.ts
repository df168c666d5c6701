/**
 * The panel's requests on the real engine (the shipped model under onnxruntime-node): every
 * action's request is one the engine takes and answers with the bars the panel expects; locked
 * bars come back exactly; a fill changes only its bars; a kept clip re-rolled from its stored
 * provenance comes back note for note. Small requests (1–2 bars, few variations): this machine
 * also trains models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSong } from '../../core/song/schema.ts';
import { ticksPerBar } from '../../core/time.ts';
import { Engine } from '../../inference/engine/engine.ts';
import { loadModelFolder } from '../../inference/node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';
import { planAction, type GeneratorAction, type PanelContext } from './build-request.ts';
import { keepTake } from './keep-take.ts';
import { generatedProvenance, notesFingerprint } from './provenance.ts';
import { planReroll, rerollMatches, takeNotes } from './reroll.ts';
import { DEFAULT_SETTINGS, type GeneratorSettings } from './settings.ts';
import { band } from './song-fixture.test-support.ts';

const loaded = await loadModelFolder(SHIPPED_MODEL_DIR);
const engine = new Engine(loaded.lm, { id: loaded.card.id, sha256: loaded.card.weights.sha256 }, loaded.provider.name);
const BAR = ticksPerBar({ numerator: 4, denominator: 4 });

function ctx(song: PanelContext['song'], patch: Partial<PanelContext> = {}, settings: Partial<GeneratorSettings> = {}): PanelContext {
  return {
    song,
    settings: { ...DEFAULT_SETTINGS, bars: 2, variations: 1, seed: 4242, ...settings },
    selectedClipId: null,
    playheadBar: 0,
    fill: { from: 1, to: 3 },
    lockedBars: [],
    ...patch,
  };
}

const inBars = <N extends { tick: number }>(notes: N[], from: number, to: number): N[] =>
  notes.filter((n) => n.tick >= from * BAR && n.tick < to * BAR);

test("every action's request runs on the shipped model and gives the bars the panel writes", { timeout: 180_000 }, async () => {
  const b = band();
  const song = readSong(b.doc);
  const cases: [GeneratorAction, Partial<PanelContext>, Partial<GeneratorSettings>, number][] = [
    ['generate', { playheadBar: 4 }, { role: 'drums' }, 2],
    ['generate', { playheadBar: 4 }, { role: 'chords' }, 2],
    ['continue', { selectedClipId: b.bassClip }, { bars: 1 }, 5],
    ['infill', { selectedClipId: b.bassClip, fill: { from: 1, to: 2 } }, {}, 4],
    ['vary', { selectedClipId: b.keysClip, lockedBars: [0, 2, 3] }, { mode: 'keep-rhythm' }, 4],
    ['accompany', { selectedClipId: b.drumClip }, { role: 'lead' }, 4],
  ];
  for (const [action, patch, settings, bars] of cases) {
    const plan = planAction(action, ctx(song, patch, settings));
    const streamed: number[] = [];
    const result = await engine.generate(plan.request, { onNote: (e) => void streamed.push('note' in e ? e.note.tick : e.chord.tick) });
    assert.equal(result.variations.length, 1, action);
    assert.equal(result.variations[0]!.bars, bars, `${action}: result bars`);
    // Streamed notes are new ones, in the bars the plan says are new.
    for (const tick of streamed)
      assert.ok(
        tick >= plan.newBars.from * BAR && tick < plan.newBars.to * BAR,
        `${action}: streamed tick ${tick} in ${JSON.stringify(plan.newBars)}`,
      );
    const kept = keepTake(b.doc, plan.target, plan.slice, result.variations[0]!, null, plan.label, action);
    if (plan.target.kind !== 'chord-track') assert.ok(kept.clipId, action);
  }
});

test('locked bars of a clip come back exactly; a fill changes only the chosen bars', { timeout: 120_000 }, async () => {
  const b = band();
  const song = readSong(b.doc);
  const clip = song.clips.find((c) => c.id === b.bassClip)!;
  const vary = planAction('vary', ctx(song, { selectedClipId: b.bassClip, lockedBars: [0, 3] }, { seed: 7 }));
  assert.deepEqual(vary.request.locks, { bars: [0, 3] });
  const varied = (await engine.generate(vary.request)).variations[0]!.notes;
  for (const [from, to] of [
    [0, 1],
    [3, 4],
  ]) {
    assert.equal(notesFingerprint(inBars(varied, from!, to!)), notesFingerprint(inBars(clip.notes, from!, to!)), `locked bar ${from! + 1}`);
  }

  const fill = planAction('infill', ctx(song, { selectedClipId: b.bassClip, fill: { from: 1, to: 3 } }, { seed: 8, variations: 2 }));
  const filled = await engine.generate(fill.request);
  for (const v of filled.variations) {
    assert.equal(notesFingerprint(inBars(v.notes, 0, 1)), notesFingerprint(inBars(clip.notes, 0, 1)), 'bar 1 kept');
    assert.equal(notesFingerprint(inBars(v.notes, 3, 4)), notesFingerprint(inBars(clip.notes, 3, 4)), 'bar 4 kept');
  }
  assert.ok(
    filled.variations.some((v) => notesFingerprint(inBars(v.notes, 1, 3)) !== notesFingerprint(inBars(clip.notes, 1, 3))),
    'bars 2-3 rewritten',
  );
});

test('a kept clip re-rolled exactly from its provenance gets the same notes; a new seed gets others', { timeout: 120_000 }, async () => {
  const b = band();
  const plan = planAction(
    'generate',
    ctx(readSong(b.doc), { playheadBar: 6 }, { role: 'bass', variations: 2, seed: 31337, temperature: 1.1 }),
  );
  const result = await engine.generate(plan.request);
  const provenance = generatedProvenance(result, plan.request, { variation: 1, ...plan.slice }, 'alice', new Date());
  const { clipId } = keepTake(b.doc, plan.target, plan.slice, result.variations[1]!, provenance, plan.label, 'bass riff');
  // The provenance goes through the document (as a bandmate would read it) before the re-roll.
  const song = readSong(b.doc);
  const exact = planReroll(song, clipId!, null);
  const again = await engine.generate(exact.request);
  assert.equal(rerollMatches(song, exact, again), true);
  assert.equal(notesFingerprint(takeNotes(again, exact, 1, null)), notesFingerprint(song.clips.find((c) => c.id === clipId)!.notes));
  const fresh = planReroll(song, clipId!, 999);
  assert.equal(
    rerollMatches(song, { ...fresh, rerollOf: { ...fresh.rerollOf, variation: 1 } }, await engine.generate(fresh.request)),
    false,
  );
});
