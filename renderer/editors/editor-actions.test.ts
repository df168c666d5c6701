import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addClip, addTrack, initSong, setClipLocked } from '../../core/song/edits.ts';
import { lastLabel, newDoc } from '../../core/song/label-recorder.test-support.ts';
import { readSong } from '../../core/song/schema.ts';
import type { Note } from '../../core/song/types.ts';
import { EditError } from '../../core/song/validate.ts';
import { createNoteClipboard } from './clipboard.ts';
import { drumRows } from './drum-kit.ts';
import { finishGesture, runEditorCommand, type EditorEnv } from './editor-actions.ts';
import { PIANO_ROWS } from './rows.ts';

/** A keys clip and a drums clip, each one bar of 4/4, and an editor environment over one of them. */
function room() {
  const doc = newDoc();
  initSong(doc);
  const keys = addClip(doc, {
    trackId: addTrack(doc, { role: 'keys' }),
    startBar: 0,
    lengthBars: 1,
    notes: [
      { pitch: 60, tick: 10, duration: 120, velocity: 100 },
      { pitch: 64, tick: 250, duration: 120, velocity: 90 },
    ],
  });
  const drums = addClip(doc, {
    trackId: addTrack(doc, { role: 'drums' }),
    startBar: 0,
    lengthBars: 1,
    notes: [{ pitch: 36, tick: 0, duration: 120, velocity: 110 }],
  });
  const clipboard = createNoteClipboard();
  const messages: string[] = [];
  const env = (clipId: string, over: Partial<EditorEnv> = {}): EditorEnv => {
    const clip = readSong(doc).clips.find((c) => c.id === clipId)!;
    const isDrums = clipId === drums;
    return {
      doc,
      clip,
      rows: isDrums ? drumRows(clip.notes.map((n) => n.pitch)) : PIANO_ROWS,
      drums: isDrums,
      step: 120,
      barTicks: 1920,
      strength: 1,
      selection: new Set(),
      cursor: null,
      clipboard,
      editable: !clip.locked,
      canSelect: () => true,
      run: <T>(edit: () => T) => {
        try {
          return edit();
        } catch (error) {
          if (error instanceof EditError) return void messages.push(error.message) as undefined;
          throw error;
        }
      },
      notify: (m) => void messages.push(m),
      refuse: () => void messages.push('refused'),
      ...over,
    };
  };
  const notes = (clipId: string): Note[] => readSong(doc).clips.find((c) => c.id === clipId)!.notes;
  return { doc, keys, drums, env, notes, messages };
}

const keysOf = (notes: Note[]) => notes.map((n) => `${n.pitch}@${n.tick}`);

test('quantize: the selection, else the whole clip, as one labelled edit', () => {
  const r = room();
  const [a] = r.notes(r.keys);
  runEditorCommand('quantize', false, r.env(r.keys, { selection: new Set([a!.id]) }));
  assert.deepEqual(keysOf(r.notes(r.keys)), ['60@0', '64@250']);
  assert.equal(lastLabel(r.doc), 'quantized a note');
  runEditorCommand('quantize', false, r.env(r.keys, { strength: 0.5 }));
  assert.deepEqual(keysOf(r.notes(r.keys)), ['60@0', '64@245']);
  runEditorCommand('quantize', false, r.env(r.keys));
  runEditorCommand('quantize', false, r.env(r.keys));
  assert.equal(r.messages.at(-1), 'Already on the grid.');
});

test('arrows: a step, a semitone, an octave; clamped at the clip edges', () => {
  const r = room();
  const ids = new Set(r.notes(r.keys).map((n) => n.id));
  runEditorCommand('up', true, r.env(r.keys, { selection: ids }));
  assert.deepEqual(keysOf(r.notes(r.keys)), ['72@10', '76@250']);
  runEditorCommand('left', false, r.env(r.keys, { selection: ids }));
  assert.deepEqual(keysOf(r.notes(r.keys)), ['72@0', '76@240'], 'only as far as the clip start');
  assert.equal(lastLabel(r.doc), 'moved 2 notes');
  // Drums: up one row is the next kit piece.
  const kick = r.notes(r.drums)[0]!;
  runEditorCommand('up', false, r.env(r.drums, { selection: new Set([kick.id]) }));
  assert.deepEqual(keysOf(r.notes(r.drums)), ['38@0']);
});

test('copy in one clip, paste after it, then into another clip', () => {
  const r = room();
  const ids = new Set(r.notes(r.keys).map((n) => n.id));
  runEditorCommand('copy', false, r.env(r.keys, { selection: ids }));
  const pasted = runEditorCommand('paste', false, r.env(r.keys));
  assert.equal(lastLabel(r.doc), 'pasted 2 notes');
  // The copy spans 10..370: 360 ticks, 3 steps; it lands right after, at 370.
  assert.deepEqual(keysOf(r.notes(r.keys)), ['60@10', '64@250', '60@370', '64@610']);
  assert.equal(pasted.cursor, 730, 'the next paste follows on');
  assert.equal(pasted.selection?.size, 2);
  runEditorCommand('paste', false, r.env(r.drums));
  assert.deepEqual(keysOf(r.notes(r.drums)), ['36@0', '60@10', '64@250'], 'same place in another clip');
  const cut = runEditorCommand(
    'cut',
    false,
    r.env(r.drums, {
      selection: new Set(
        r
          .notes(r.drums)
          .filter((n) => n.pitch !== 36)
          .map((n) => n.id),
      ),
    }),
  );
  assert.equal(lastLabel(r.doc), 'cut 2 notes');
  assert.equal(cut.selection?.size, 0);
});

test('finished gestures: a drum click removes the hit, a piano click selects, a draw selects what it drew', () => {
  const r = room();
  const kick = r.notes(r.drums)[0]!;
  finishGesture({ kind: 'click', note: kick }, false, r.env(r.drums));
  assert.deepEqual(r.notes(r.drums), []);
  assert.equal(lastLabel(r.doc), 'removed a hit');
  const [a] = r.notes(r.keys);
  assert.deepEqual([...finishGesture({ kind: 'click', note: a! }, false, r.env(r.keys)).selection!], [a!.id]);
  const drawn = finishGesture({ kind: 'draw', notes: [{ pitch: 67, tick: 480, duration: 240, velocity: 80 }] }, false, r.env(r.keys));
  assert.equal(lastLabel(r.doc), 'drew a note');
  assert.equal(drawn.selection?.size, 1);
  const resize = finishGesture(
    { kind: 'resize', preview: r.notes(r.keys).map((n) => ({ ...n, duration: n.pitch === 67 ? 480 : n.duration })) },
    false,
    r.env(r.keys),
  );
  assert.deepEqual(resize, {});
  assert.equal(lastLabel(r.doc), 'resized 1 note');
});

test('a locked clip: editing commands are refused and nothing changes; selecting and copying still work', () => {
  const r = room();
  setClipLocked(r.doc, r.keys, true);
  const before = JSON.stringify(readSong(r.doc));
  const ids = new Set(r.notes(r.keys).map((n) => n.id));
  for (const command of ['delete', 'quantize', 'paste', 'cut', 'left'] as const)
    runEditorCommand(command, false, r.env(r.keys, { selection: ids }));
  assert.equal(r.messages.filter((m) => m === 'refused').length, 5);
  assert.equal(runEditorCommand('selectAll', false, r.env(r.keys)).selection?.size, 2, 'its notes can still be selected...');
  runEditorCommand('copy', false, r.env(r.keys, { selection: ids }));
  assert.match(r.messages.at(-1)!, /Copied 2 notes/, '...and copied');
  assert.equal(JSON.stringify(readSong(r.doc)), before);
});
