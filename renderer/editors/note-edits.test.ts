import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addClip, addTrack, setClipLocked } from '../../core/song/edits.ts';
import { lastLabel, newDoc } from '../../core/song/label-recorder.test-support.ts';
import { readSong } from '../../core/song/schema.ts';
import { EditError } from '../../core/song/validate.ts';
import { LocalUndo } from '../state/local-undo.ts';
import { drumRows } from './drum-kit.ts';
import {
  cutNotes,
  deleteSelectedNotes,
  drawNotes,
  moveNoteGroup,
  pasteNotes,
  quantizeNotes,
  removeHit,
  resizeNotes,
  setVelocities,
} from './note-edits.ts';
import { PIANO_ROWS } from './rows.ts';

function setup() {
  const doc = newDoc();
  const track = addTrack(doc, { role: 'keys' });
  const clipId = addClip(doc, { trackId: track, startBar: 0, lengthBars: 1 });
  const undo = new LocalUndo(doc);
  let transactions = 0;
  doc.on('afterTransaction', () => void transactions++);
  const notes = () => readSong(doc).clips[0]!.notes;
  return { doc, clipId, undo, notes, count: () => transactions };
}

test('every editor edit is one labelled transaction and one undo step', () => {
  const { doc, clipId, undo, notes, count } = setup();
  const steps: [string, () => void][] = [
    ['drew a note', () => drawNotes(doc, clipId, [{ pitch: 60, tick: 0, duration: 120, velocity: 100 }])],
    [
      'drew 3 hits',
      () =>
        drawNotes(
          doc,
          clipId,
          [0, 1, 2].map((i) => ({ pitch: 36, tick: 130 + i * 120, duration: 120, velocity: 100 })),
          'hit',
        ),
    ],
    ['moved 4 notes', () => moveNoteGroup(doc, clipId, notes(), { ticks: 120, rows: -2 }, PIANO_ROWS)],
    [
      'resized 2 notes',
      () =>
        resizeNotes(
          doc,
          clipId,
          notes()
            .slice(0, 2)
            .map((n) => ({ id: n.id, duration: 240 })),
        ),
    ],
    [
      'changed velocity of 3 notes',
      () =>
        setVelocities(
          doc,
          clipId,
          notes()
            .slice(0, 3)
            .map((n) => ({ id: n.id, velocity: 50 })),
        ),
    ],
    [
      'quantized 3 notes',
      () =>
        quantizeNotes(
          doc,
          clipId,
          notes()
            .slice(1)
            .map((n) => ({ id: n.id, tick: Math.round(n.tick / 240) * 240 })),
        ),
    ],
    [
      'pasted 2 notes',
      () =>
        pasteNotes(doc, clipId, [
          { pitch: 72, tick: 0, duration: 60, velocity: 80 },
          { pitch: 74, tick: 60, duration: 60, velocity: 80 },
        ]),
    ],
    [
      'cut 2 notes',
      () =>
        cutNotes(
          doc,
          clipId,
          notes()
            .filter((n) => n.pitch >= 72)
            .map((n) => n.id),
        ),
    ],
    ['removed a hit', () => removeHit(doc, clipId, notes()[0]!.id)],
    [
      'deleted 2 notes',
      () =>
        deleteSelectedNotes(
          doc,
          clipId,
          notes()
            .slice(0, 2)
            .map((n) => n.id),
        ),
    ],
  ];
  const history: string[] = [];
  for (const [label, edit] of steps) {
    const before = count();
    history.push(JSON.stringify(notes()));
    edit();
    assert.equal(count() - before, 1, `${label}: one transaction`);
    assert.equal(lastLabel(doc), label);
    assert.equal(undo.getState().undoLabel, label);
  }
  // Undo walks back one edit per step.
  for (let i = steps.length - 1; i >= 0; i--) {
    assert.ok(undo.undo());
    assert.equal(
      JSON.stringify(notes().map(({ id: _, ...n }) => n)),
      JSON.stringify(JSON.parse(history[i]!).map(({ id: _, ...n }: { id: string }) => n)),
      `undo of ${steps[i]![0]}`,
    );
  }
});

test('drum rows move each hit to its new row, under one "moved" label', () => {
  const { doc, clipId, notes } = setup();
  drawNotes(
    doc,
    clipId,
    [
      { pitch: 36, tick: 0, duration: 120, velocity: 100 },
      { pitch: 38, tick: 480, duration: 120, velocity: 100 },
    ],
    'hit',
  );
  moveNoteGroup(doc, clipId, notes(), { ticks: 0, rows: -1 }, drumRows([]));
  assert.deepEqual(
    notes().map((n) => n.pitch),
    [38, 45],
    'kick → snare, snare → low tom',
  );
  assert.equal(lastLabel(doc), 'moved 2 notes');
});

test('a locked clip refuses every note edit and stays as it was', () => {
  const { doc, clipId, notes } = setup();
  drawNotes(doc, clipId, [{ pitch: 60, tick: 0, duration: 120, velocity: 100 }]);
  setClipLocked(doc, clipId, true);
  const before = JSON.stringify(readSong(doc));
  assert.throws(() => drawNotes(doc, clipId, [{ pitch: 62, tick: 0, duration: 120, velocity: 100 }]), EditError);
  assert.throws(() => moveNoteGroup(doc, clipId, notes(), { ticks: 120, rows: 0 }, PIANO_ROWS), EditError);
  assert.throws(() => quantizeNotes(doc, clipId, [{ id: notes()[0]!.id, tick: 0 }]), EditError);
  assert.equal(JSON.stringify(readSong(doc)), before);
});
