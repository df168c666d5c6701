import { test } from 'node:test';
import assert from 'node:assert/strict';
import { provenanceSong } from './fixture.test-support.ts';
import { checkGeneratedNotes, withGeneratedNotes } from './generated-notes.ts';
import { provenanceRecord, withMastering } from './record.ts';

test('per clip: a person (the track owner), the model as generated, the model edited, edits unknown, an import', () => {
  const record = provenanceRecord(provenanceSong());
  assert.equal(record.schema, 'riffroom-provenance/1');
  assert.deepEqual(record.bars, { from: 0, to: 4 });
  assert.deepEqual(
    record.clips.map((c) => [c.track, c.startBar, c.notes, c.author.kind]),
    [
      ['Drums', 0, 4, 'person'],
      ['Bass', 0, 4, 'model'],
      ['Keys', 2, 3, 'model'],
      ['Lead', 2, 2, 'model'],
      ['Other', 3, 1, 'import'],
    ],
  );
  const [drums, bass, keys, lead, other] = record.clips.map((c) => c.author);
  assert.deepEqual(drums, { kind: 'person', name: 'Ana' });
  assert.deepEqual(other, { kind: 'import', fileName: 'riff.mid' });
  assert.ok(bass?.kind === 'model' && keys?.kind === 'model' && lead?.kind === 'model');
  assert.deepEqual([bass.editedByPerson, keys.editedByPerson, lead.editedByPerson], [false, true, null]);
  assert.equal(bass.model.id, 'dev-v1');
  assert.equal(bass.model.sha256.length, 64);
  assert.equal(bass.seed, 1234);
  assert.equal(bass.requestedBy, 'alice');
  assert.deepEqual(
    { ...bass.settings },
    {
      task: 'generate',
      role: 'bass',
      style: 'funk',
      key: 'E minor',
      meter: '4/4',
      bpm: 100,
      energy: 2,
      bars: 2,
      mode: 'free',
      scaleLock: true,
      chords: false,
      locks: 0,
      temperature: 1,
      topK: 0,
      topP: 0.95,
      variation: 2,
      variations: 3,
      provider: 'cpu',
    },
  );
  // 14 notes: drums 4 (people), bass 4 as generated, keys 2 as generated + 1 moved, lead 2 unknown, 1 imported.
  assert.deepEqual(record.summary.notes, { total: 14, modelAsGenerated: 6, modelEdited: 1, modelUnknown: 2, people: 4, imported: 1 });
  assert.deepEqual(record.summary.shares, {
    modelAsGenerated: 0.429,
    modelEdited: 0.071,
    modelUnknown: 0.143,
    people: 0.286,
    imported: 0.071,
  });
  assert.deepEqual(record.summary.clips, { total: 5, model: 3, people: 1, imported: 1 });
  assert.equal(record.mastering, null);
});

test('a range keeps the clips and notes inside it; a stem keeps its track; a clip keeps itself', () => {
  const song = provenanceSong();
  const bar2 = provenanceRecord(song, { range: { fromBar: 1, toBar: 2 } });
  assert.deepEqual(
    bar2.clips.map((c) => [c.track, c.notes]),
    [
      ['Drums', 1],
      ['Bass', 1],
    ],
  );
  const stem = provenanceRecord(song, { what: 'stem', content: 'audio', trackId: 'keys' });
  assert.deepEqual([stem.what, stem.content, stem.track, stem.clips.length, stem.summary.notes.total], ['stem', 'audio', 'Keys', 1, 3]);
  const clip = provenanceRecord(song, { what: 'clip', clipId: 'c-bass', range: { fromBar: 0, toBar: 2 } });
  assert.deepEqual([clip.track, clip.clips.length, clip.summary.shares.modelAsGenerated], ['Bass', 1, 1]);
  assert.deepEqual(withMastering(clip, { targetLufs: -14 }).mastering, { targetLufs: -14 });
  const empty = provenanceRecord({ ...song, clips: [] });
  assert.deepEqual([empty.bars, empty.summary.notes.total, empty.summary.shares.people], [{ from: 0, to: 0 }, 0, 0]);
});

test('edits: a changed, added or deleted note makes a clip edited; notes past the clip end and identical twins are handled', () => {
  const a = { tick: 0, pitch: 60, duration: 240, velocity: 100 };
  const b = { tick: 480, pitch: 62, duration: 240, velocity: 100 };
  const kept = withGeneratedNotes({ source: 'model' }, [a, a, b]);
  const all = () => true;
  assert.deepEqual(checkGeneratedNotes(kept, [a, a, b], all), { asGenerated: 3, changed: 0, edited: false });
  assert.deepEqual(checkGeneratedNotes(kept, [a, b], all), { asGenerated: 2, changed: 0, edited: true }, 'one twin deleted');
  assert.deepEqual(checkGeneratedNotes(kept, [a, a, { ...b, velocity: 90 }], all), { asGenerated: 2, changed: 1, edited: true });
  assert.deepEqual(checkGeneratedNotes(kept, [a, a, b, { ...b, tick: 960 }], all), { asGenerated: 3, changed: 1, edited: true });
  // A clip shortened to hide b: what is heard is still as generated.
  assert.deepEqual(
    checkGeneratedNotes(kept, [a, a], (n) => n.tick < 480),
    { asGenerated: 2, changed: 0, edited: false },
  );
  assert.deepEqual(checkGeneratedNotes({ source: 'model' }, [a], all), { asGenerated: 0, changed: 1, edited: null }, 'no list: unknown');
  assert.equal(withGeneratedNotes(null, [a]), null);
  assert.deepEqual(withGeneratedNotes({ source: 'user' }, [a]), { source: 'user' }, 'only model clips get a list');
});

test('an untrusted generator detail is read leniently: missing fields are unknown, odd values dropped', () => {
  const song = provenanceSong();
  song.clips[1]!.provenance = {
    source: 'model',
    detail: { model: 'not an object', seed: -3, conditions: { style: { nested: true }, bpm: 90 } },
  };
  const author = provenanceRecord(song).clips[1]!.author;
  assert.deepEqual(author, {
    kind: 'model',
    model: { id: 'unknown', sha256: 'unknown' },
    seed: null,
    settings: { bpm: 90 },
    requestedBy: null,
    requestedAt: null,
    editedByPerson: null,
  });
});
