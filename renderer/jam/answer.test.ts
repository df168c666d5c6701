/**
 * AI call and response on the real engine (the shipped model under onnxruntime-node): live notes
 * played over two bars become the Continue request (answer.ts), the model answers, and the answer
 * is written as one labelled edit: a clip exactly over the next N bars, on the "AI answers" track
 * of the played track's role, in the song's key, on the model's grid. Small requests (2 bars, one
 * variation): this machine also trains models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import type { LiveNote, TransportState } from '../../core/jam/contract.ts';
import { EDIT_LABEL_META } from '../../core/song/edit-labels.ts';
import { addTrack, initSong, setChords } from '../../core/song/edits.ts';
import { readSong } from '../../core/song/schema.ts';
import { inKeyPitchClasses } from '../../core/theory/scales.ts';
import { ticksPerBar } from '../../core/time.ts';
import { Engine } from '../../inference/engine/engine.ts';
import { loadModelFolder } from '../../inference/node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';
import { TICKS_PER_STEP } from '../../inference/tokenizer/vocabulary.ts';
import {
  AI_TRACK_NAME,
  answerBars,
  answerFrom,
  answerOutcome,
  answerRequest,
  answerRole,
  callNotes,
  callStartBar,
  type AnswerRole,
  writeAnswer,
} from './answer.ts';

const loaded = await loadModelFolder(SHIPPED_MODEL_DIR);
const engine = new Engine(loaded.lm, { id: loaded.card.id, sha256: loaded.card.weights.sha256 }, loaded.provider.name);

const METER = { numerator: 4, denominator: 4 };
const BAR = ticksPerBar(METER);
const BAR_MS = 2000; // 4/4 at 120 BPM
const ANCHOR = 100_000;
const KEY = { tonic: 2, mode: 'minor' as const }; // D minor

/** A playing transport: bar 0 at ANCHOR, looping bars 0–4. */
const STATE: TransportState = {
  playing: true,
  bpm: 120,
  meter: METER,
  loop: { startBar: 0, endBar: 4 },
  anchorMs: ANCHOR,
  anchorBar: 0,
  revision: 1,
  changedBy: 'alice',
};

/** A song in D minor with a Keys, a Bass and a Drums track and chords Dm Bb F C over bars 0–3. */
function song(): { doc: Y.Doc; keys: string; bass: string; drums: string; labels: string[] } {
  const doc = new Y.Doc();
  initSong(doc, { bpm: 120, meter: METER, key: KEY });
  const keys = addTrack(doc, { role: 'keys', name: 'Keys' });
  const bass = addTrack(doc, { role: 'bass', name: 'Bass' });
  const drums = addTrack(doc, { role: 'drums', name: 'Drums' });
  setChords(
    doc,
    0,
    4 * BAR,
    ['Dm', 'Bb', 'F', 'C'].map((symbol, i) => ({ tick: i * BAR, duration: BAR, symbol })),
  );
  const labels: string[] = [];
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    const label = tr.meta.get(EDIT_LABEL_META);
    if (typeof label === 'string') labels.push(label);
  });
  return { doc, keys, bass, drums, labels };
}

/** Live on/off pairs at (bar, 16th) positions from `fromBar`, played a little loose (±12 ms), on `trackId`. */
function played(
  trackId: string,
  fromBar: number,
  phrase: [bar: number, sixteenth: number, pitch: number, sixteenths: number][],
): LiveNote[] {
  const sixteenthMs = BAR_MS / 16;
  const out: LiveNote[] = [];
  phrase.forEach(([bar, s, pitch, len], i) => {
    const at = ANCHOR + (fromBar + bar) * BAR_MS + s * sixteenthMs + (i % 2 ? 12 : -9);
    out.push({ kind: 'on', pitch, velocity: 90, trackId, at });
    out.push({ kind: 'off', pitch, velocity: 0, trackId, at: at + len * sixteenthMs - 30 });
  });
  return out.sort((a, b) => a.at - b.at);
}

// A D minor phrase over two bars (D F A G F E D | A C D).
const KEYS_PHRASE: [number, number, number, number][] = [
  [0, 0, 62, 2],
  [0, 2, 65, 2],
  [0, 4, 69, 4],
  [0, 8, 67, 2],
  [0, 10, 65, 2],
  [0, 12, 64, 2],
  [0, 14, 62, 2],
  [1, 0, 69, 4],
  [1, 4, 72, 4],
  [1, 8, 74, 8],
];
const BASS_PHRASE: [number, number, number, number][] = [
  [0, 0, 38, 4],
  [0, 6, 38, 2],
  [0, 8, 45, 4],
  [0, 12, 43, 4],
  [1, 0, 46, 4],
  [1, 6, 46, 2],
  [1, 8, 41, 8],
];
const DRUM_PHRASE: [number, number, number, number][] = [
  [0, 0, 36, 1],
  [0, 4, 38, 1],
  [0, 8, 36, 1],
  [0, 12, 38, 1],
  [1, 0, 36, 1],
  [1, 4, 38, 1],
  [1, 8, 36, 1],
  [1, 10, 36, 1],
  [1, 12, 38, 1],
];

/** Plays `phrase` on `trackId` in bars [callFrom, callFrom + 2), answers at the bar line after it and writes the answer. */
async function jamAnswer(s: ReturnType<typeof song>, trackId: string, phrase: typeof KEYS_PHRASE, callFrom: number, seed: number) {
  const bars = 2;
  const lineMs = ANCHOR + (callFrom + bars) * BAR_MS;
  const notes = played(trackId, callFrom, phrase);
  const call = callNotes(notes, STATE, lineMs, bars);
  const before = readSong(s.doc);
  const role = answerRole(before.tracks.find((t) => t.id === trackId)?.role);
  const range = answerBars(STATE, lineMs, bars);
  const request = answerRequest(before, role, call, bars, range, seed, callStartBar(STATE, lineMs, bars));
  const result = await engine.generate(request);
  const answer = answerFrom(request, result, range, 'bob');
  assert.ok(answer, 'the model gave a variation');
  const labelsBefore = s.labels.length;
  const clipId = writeAnswer(s.doc, answer);
  const after = readSong(s.doc);
  const clip = after.clips.find((c) => c.id === clipId);
  assert.ok(clip, 'the answer clip is in the song');
  return {
    call,
    role,
    range,
    request,
    result,
    answer,
    clip,
    track: after.tracks.find((t) => t.id === clip.trackId)!,
    after,
    newLabels: s.labels.slice(labelsBefore),
  };
}

function assertOnGridInside(notes: readonly { tick: number; duration: number }[], bars: number, what: string): void {
  for (const n of notes) {
    assert.ok(n.tick >= 0 && n.tick + n.duration <= bars * BAR, `${what}: note at ${n.tick}+${n.duration} outside the clip's ${bars} bars`);
    assert.equal(n.tick % TICKS_PER_STEP, 0, `${what}: note at tick ${n.tick} is off the model's grid`);
    assert.ok(n.duration >= 1, `${what}: duration ${n.duration}`);
  }
}

function inKeyShare(notes: readonly { pitch: number }[]): number {
  const scale = inKeyPitchClasses(KEY);
  return notes.filter((n) => scale.has(((n.pitch % 12) + 12) % 12)).length / notes.length;
}

test("the call: live notes of the two bars before the bar line, quantized to 16ths, in ticks from the call's first bar", () => {
  const s = song();
  const notes = played(s.keys, 0, KEYS_PHRASE);
  const call = callNotes(notes, STATE, ANCHOR + 2 * BAR_MS, 2);
  assert.equal(call.length, KEYS_PHRASE.length);
  assert.deepEqual(
    call.map((n) => [n.tick, n.pitch]),
    KEYS_PHRASE.map(([bar, sx, pitch]) => [bar * BAR + sx * (BAR / 16), pitch]),
  );
  // Notes played before the call's bars are not in it.
  const earlier = played(s.keys, -1, [[0, 4, 60, 2]]);
  assert.equal(callNotes([...earlier, ...notes], STATE, ANCHOR + 2 * BAR_MS, 2).length, KEYS_PHRASE.length);
});

test("at the loop's end the answer wraps to the loop start, and the request carries the chords of the bars played, then of the answer's", () => {
  const s = song();
  const lineMs = ANCHOR + 4 * BAR_MS; // the loop (bars 0–4) wraps here
  const range = answerBars(STATE, lineMs, 2);
  assert.deepEqual(range, { from: 0, to: 2 });
  assert.equal(callStartBar(STATE, lineMs, 2), 2);
  const call = callNotes(played(s.keys, 2, KEYS_PHRASE), STATE, lineMs, 2);
  const request = answerRequest(readSong(s.doc), 'keys', call, 2, range, 1, callStartBar(STATE, lineMs, 2));
  // Call: F C (bars 2, 3); answer: Dm Bb (bars 0, 1).
  assert.deepEqual(
    request.chords?.map((c) => [c.tick / BAR, c.root, c.quality]),
    [
      [0, 5, 'maj'],
      [1, 0, 'maj'],
      [2, 2, 'min'],
      [3, 10, 'maj'],
    ],
  );
  // Straight on (no wrap): the four bars in order.
  const straight = answerRequest(readSong(s.doc), 'keys', call, 2, { from: 2, to: 4 }, 1, 0);
  assert.deepEqual(
    straight.chords?.map((c) => [c.tick / BAR, c.root]),
    [
      [0, 2],
      [1, 10],
      [2, 5],
      [3, 0],
    ],
  );
});

test('keys: the shipped model answers two played bars in the next two, in D minor, on the grid, on "AI answers" (keys), labelled', {
  timeout: 120_000,
}, async () => {
  const s = song();
  const r = await jamAnswer(s, s.keys, KEYS_PHRASE, 0, 1234);
  assert.equal(r.request.task, 'continue');
  assert.equal(r.request.role, 'keys');
  assert.deepEqual(r.request.key, KEY);
  assert.equal(r.request.scaleLock, true);
  assert.deepEqual(r.range, { from: 2, to: 4 });
  // The result is the call's two bars then two new ones; only the new ones are the answer.
  assert.equal(r.result.variations[0]!.bars, 4);
  assert.deepEqual(
    r.result.variations[0]!.notes.filter((n) => n.tick < 2 * BAR).map((n) => [n.tick, n.pitch]),
    r.call.map((n) => [n.tick, n.pitch]),
    'the call comes back as it was played',
  );
  const newNotes = r.result.variations[0]!.notes.filter((n) => n.tick >= 2 * BAR);
  console.log(
    `# keys answer (seed 1234): ${r.answer.notes.map((n) => `${n.pitch}@${n.tick}`).join(' ')} · ${r.result.provenance.timing.totalMs.toFixed(0)} ms`,
  );
  assert.ok(r.answer.notes.length >= 2, `an answer of ${r.answer.notes.length} notes`);
  assert.equal(r.answer.notes.length, newNotes.length);
  // Exactly the next two bars.
  assert.equal(r.clip.startBar, 2);
  assert.equal(r.clip.lengthBars, 2);
  assertOnGridInside(r.clip.notes, 2, 'keys answer');
  const share = inKeyShare(r.clip.notes);
  assert.ok(share >= 0.8, `only ${(share * 100).toFixed(0)}% of the answer is in D minor`);
  // On its own track, of the played track's role, named and labelled.
  assert.equal(r.track.name, AI_TRACK_NAME);
  assert.equal(r.track.role, 'keys');
  assert.notEqual(r.track.id, s.keys);
  assert.equal(r.clip.name, 'Answer');
  assert.equal(r.clip.provenance?.source, 'model');
  assert.equal((r.clip.provenance?.detail as { answerTo?: string } | undefined)?.answerTo, 'bob');
  assert.equal((r.clip.provenance?.detail as { seed?: number } | undefined)?.seed, 1234);
  assert.deepEqual(r.newLabels, [`AI answered ${r.clip.notes.length} note${r.clip.notes.length === 1 ? '' : 's'} (seed 1234)`]);
  assert.equal(r.answer.label, r.newLabels[0]);
  // The played track is untouched.
  assert.equal(r.after.clips.filter((c) => c.trackId === s.keys).length, 0);

  // The next answer over the same bars replaces this one, on the same track.
  const again = await jamAnswer(s, s.keys, KEYS_PHRASE, 0, 99);
  assert.equal(again.track.id, r.track.id);
  assert.deepEqual(
    again.after.clips.filter((c) => c.trackId === r.track.id).map((c) => c.id),
    [again.clip.id],
  );
});

test('bass and drums: each answered on an "AI answers" track of its role (drums keyless), at the loop start after the loop\'s last bars', {
  timeout: 120_000,
}, async () => {
  const s = song();
  for (const [trackId, phrase, role] of [
    [s.bass, BASS_PHRASE, 'bass'],
    [s.drums, DRUM_PHRASE, 'drums'],
  ] as [string, typeof KEYS_PHRASE, AnswerRole][]) {
    // Played in bars 2–3, the loop's last: the answer goes to bars 0–1.
    const r = await jamAnswer(s, trackId, phrase, 2, 77);
    console.log(
      `# ${role} answer (seed 77): ${r.answer.notes.map((n) => `${n.pitch}@${n.tick}`).join(' ')} · ${r.result.provenance.timing.totalMs.toFixed(0)} ms`,
    );
    assert.equal(r.request.role, role);
    assert.deepEqual(r.range, { from: 0, to: 2 });
    assert.equal(r.clip.startBar, 0);
    assert.equal(r.clip.lengthBars, 2);
    assert.ok(r.clip.notes.length >= 2, `${role}: an answer of ${r.clip.notes.length} notes`);
    assertOnGridInside(r.clip.notes, 2, `${role} answer`);
    assert.equal(r.track.name, AI_TRACK_NAME);
    assert.equal(r.track.role, role);
    assert.match(r.newLabels.join(), /^AI answered \d+ notes? \(seed 77\)$/);
    if (role === 'drums') {
      assert.equal(r.request.key, null);
      assert.equal(r.request.chords, null);
    } else {
      const share = inKeyShare(r.clip.notes);
      assert.ok(share >= 0.8, `only ${(share * 100).toFixed(0)}% of the bass answer is in D minor`);
      assert.ok(
        r.clip.notes.every((n) => n.pitch < 72),
        'a bass register',
      );
    }
  }
  const aiTracks = readSong(s.doc).tracks.filter((t) => t.name === AI_TRACK_NAME);
  assert.deepEqual(aiTracks.map((t) => t.role).sort(), ['bass', 'drums']);
});

test('an answer is written unless answers are off or the music stopped; every other end says why', () => {
  const answer = {
    role: 'lead',
    range: { from: 2, to: 4 },
    notes: [],
    label: 'x',
    provenance: {},
    answerTo: 'ann',
  } as unknown as Parameters<typeof answerOutcome>[0];
  assert.deepEqual(answerOutcome(answer, { aiAnswers: true, playing: true }), { write: true });
  for (const [a, now, said] of [
    [answer, { aiAnswers: false, playing: true }, /turned off/],
    [answer, { aiAnswers: true, playing: false }, /stopped/],
    [null, { aiAnswers: true, playing: true }, /no answer/],
  ] as const) {
    const outcome = answerOutcome(a, now);
    assert.equal(outcome.write, false);
    assert.match((outcome as { status: string }).status, said);
  }
});
