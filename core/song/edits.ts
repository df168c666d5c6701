/**
 * Typed edits of the arrangement. Each function is exactly one Yjs transaction carrying its human
 * label ("moved 3 notes", "added track Bass") in the transaction's meta; see edit-labels.ts for
 * how the label reaches the server's history.
 *
 * Every edit runs with an origin (LOCAL_EDIT unless given) so a per-user UndoManager can track
 * only this user's edits and never undo a bandmate's.
 */
import * as Y from 'yjs';
import { ticksPerBar } from '../time.ts';
import { newId } from './ids.ts';
import { EDIT_LABEL_META } from './edit-labels.ts';
import { instrumentById } from './instrument-catalog.ts';
import {
  DEFAULT_META,
  bookmarksMap,
  chordsMap,
  clipNotes,
  clipsMap,
  metaMap,
  readMeta,
  tracksMap,
  type ClipMap,
  type TrackMap,
} from './schema.ts';
import type { Chord, Key, LoopRange, NoteInput, Provenance, SongMeta, Track, TrackRole } from './types.ts';
import { EditError, MAX_BARS, checkInt, checkKey, checkMeter, checkNote, checkNumber, checkRole, checkString } from './validate.ts';
import type { Meter, Ticks } from '../time.ts';

/** Origin of edits made by this user in this window. */
export const LOCAL_EDIT = Symbol('riffroom.local-edit');

/**
 * Who makes an edit: their identity id (a token's `id`: one per person, what track ownership
 * compares) and display name (what the page shows). Names are not unique: every invitee of one
 * invite may be called "Student".
 */
export interface EditAuthor {
  id: string;
  name: string;
}

export interface EditOptions {
  origin?: unknown;
  /**
   * The bandmate making the edit; a track added gets them as its owner. Absent: the document's
   * edit author (setEditAuthor), if any; null: nobody (the track is nobody's).
   */
  author?: EditAuthor | null;
}

const editAuthors = new WeakMap<Y.Doc, EditAuthor>();

/** An identity id as tokens spell it (sync-server/auth/tokens.ts): 1-64 letters, digits, '-' or '_'. */
const IDENTITY_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkAuthor(author: EditAuthor): EditAuthor {
  if (typeof author?.id !== 'string' || !IDENTITY_ID.test(author.id)) {
    throw new EditError('an owner id must be 1-64 letters, digits, - or _');
  }
  const name = checkString('owner name', author.name, 100).trim();
  if (!name) throw new EditError('an owner needs a name');
  return { id: author.id, name };
}

/**
 * Names who makes the edits to `doc` in this window (the page sets it to the user's identity), so
 * edits that record an author (addTrack: the track's owner) need not be told each time. null
 * forgets it.
 */
export function setEditAuthor(doc: Y.Doc, author: EditAuthor | null): void {
  if (author) editAuthors.set(doc, checkAuthor(author));
  else editAuthors.delete(doc);
}

export function editAuthor(doc: Y.Doc): EditAuthor | null {
  return editAuthors.get(doc) ?? null;
}

function authorOf(doc: Y.Doc, options: EditOptions | undefined): EditAuthor | null {
  const author = options?.author === undefined ? editAuthor(doc) : options.author;
  return author ? checkAuthor(author) : null;
}

/** Runs `fn` as one labelled transaction and returns its result. */
export function labelledEdit<T>(doc: Y.Doc, label: string, fn: () => T, options: EditOptions = {}): T {
  let result!: T;
  doc.transact((transaction) => {
    result = fn();
    // Set after fn(): when edits nest (an import made of several edits) the outer label wins.
    transaction.meta.set(EDIT_LABEL_META, label);
  }, options.origin ?? LOCAL_EDIT);
  return result;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------- song

/** Fills in every meta field that is still unset (a new song). Existing values are kept. */
export function initSong(doc: Y.Doc, meta: Partial<SongMeta> = {}, options?: EditOptions): void {
  const wanted = { ...DEFAULT_META, ...meta };
  checkNumber('tempo', wanted.bpm, 20, 400);
  checkMeter(wanted.meter);
  checkKey(wanted.key);
  labelledEdit(
    doc,
    'created song',
    () => {
      const map = metaMap(doc);
      for (const [k, v] of Object.entries(wanted)) if (!map.has(k)) map.set(k, v);
    },
    options,
  );
}

export function setTitle(doc: Y.Doc, title: string, options?: EditOptions): void {
  checkString('title', title, 200);
  labelledEdit(doc, `renamed song to "${title}"`, () => metaMap(doc).set('title', title), options);
}

export function setTempo(doc: Y.Doc, bpm: number, options?: EditOptions): void {
  checkNumber('tempo', bpm, 20, 400);
  labelledEdit(doc, `set tempo to ${bpm} BPM`, () => metaMap(doc).set('bpm', bpm), options);
}

export function setMeter(doc: Y.Doc, meter: Meter, options?: EditOptions): void {
  const m = checkMeter(meter);
  labelledEdit(doc, `set meter to ${m.numerator}/${m.denominator}`, () => metaMap(doc).set('meter', m), options);
}

const PITCH_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];

export function setKey(doc: Y.Doc, key: Key, options?: EditOptions): void {
  const k = checkKey(key);
  labelledEdit(doc, `set key to ${PITCH_NAMES[k.tonic]} ${k.mode}`, () => metaMap(doc).set('key', k), options);
}

export function setSwing(doc: Y.Doc, swing: number, options?: EditOptions): void {
  checkNumber('swing', swing, 0, 1);
  labelledEdit(doc, `set swing to ${Math.round(swing * 100)}%`, () => metaMap(doc).set('swing', swing), options);
}

export function setLoop(doc: Y.Doc, loop: LoopRange | null, options?: EditOptions): void {
  if (loop) {
    checkInt('loop start bar', loop.startBar, 0, MAX_BARS - 1);
    checkInt('loop end bar', loop.endBar, loop.startBar + 1, MAX_BARS);
  }
  const value = loop && { startBar: loop.startBar, endBar: loop.endBar };
  const label = value ? `set loop to bars ${value.startBar + 1}-${value.endBar}` : 'cleared loop';
  labelledEdit(doc, label, () => metaMap(doc).set('loop', value), options);
}

// -------------------------------------------------------------------------------------- tracks

export const DEFAULT_INSTRUMENT: Record<TrackRole, string> = {
  drums: 'acoustic-kit',
  bass: 'finger-bass',
  keys: 'electric-piano',
  lead: 'saw-lead',
  other: 'pad',
};

export interface NewTrack {
  name?: string;
  role: TrackRole;
  instrument?: string;
  volumeDb?: number;
  pan?: number;
}

function requireTrack(doc: Y.Doc, trackId: string): TrackMap {
  const track = tracksMap(doc).get(trackId);
  if (!track) throw new EditError(`no track with id ${trackId}`);
  return track;
}

function nextTrackOrder(doc: Y.Doc): number {
  let max = 0;
  for (const t of tracksMap(doc).values()) max = Math.max(max, t.get('order') as number);
  return max + 1;
}

/**
 * Adds a track at the bottom of the arrangement; returns its id. The track's owner is the edit's
 * author (options.author, else the document's edit author), when there is one.
 */
export function addTrack(doc: Y.Doc, input: NewTrack, options?: EditOptions): string {
  const role = checkRole(input.role);
  const name = checkString('track name', input.name ?? role[0]!.toUpperCase() + role.slice(1), 100);
  const owner = authorOf(doc, options);
  const id = newId();
  labelledEdit(
    doc,
    `added track ${name}`,
    () => {
      const track = new Y.Map<unknown>();
      track.set('name', name);
      track.set('role', role);
      track.set('instrument', checkString('instrument', input.instrument ?? DEFAULT_INSTRUMENT[role], 100));
      track.set('volumeDb', checkNumber('volume', input.volumeDb ?? 0, -60, 6));
      track.set('pan', checkNumber('pan', input.pan ?? 0, -1, 1));
      track.set('mute', false);
      track.set('solo', false);
      track.set('order', nextTrackOrder(doc));
      if (owner) {
        track.set('ownerId', owner.id);
        track.set('owner', owner.name);
      }
      tracksMap(doc).set(id, track);
    },
    options,
  );
  return id;
}

export type TrackPatch = Partial<Pick<Track, 'name' | 'instrument' | 'volumeDb' | 'pan' | 'mute' | 'solo' | 'order'>>;

/** Changes mixer and naming fields of a track; only the given fields are written. */
export function updateTrack(doc: Y.Doc, trackId: string, patch: TrackPatch, options?: EditOptions): void {
  const track = requireTrack(doc, trackId);
  const checked: TrackPatch = {};
  if (patch.name !== undefined) checked.name = checkString('track name', patch.name, 100);
  if (patch.instrument !== undefined) checked.instrument = checkString('instrument', patch.instrument, 100);
  if (patch.volumeDb !== undefined) checked.volumeDb = checkNumber('volume', patch.volumeDb, -60, 6);
  if (patch.pan !== undefined) checked.pan = checkNumber('pan', patch.pan, -1, 1);
  if (patch.mute !== undefined) checked.mute = Boolean(patch.mute);
  if (patch.solo !== undefined) checked.solo = Boolean(patch.solo);
  if (patch.order !== undefined) checked.order = checkNumber('order', patch.order, -1e9, 1e9);
  const name = track.get('name') as string;
  const fields = Object.keys(checked);
  const label =
    fields.length === 1 && fields[0] === 'instrument'
      ? `set ${name}'s instrument to ${instrumentById(checked.instrument!)?.name ?? checked.instrument}`
      : fields.length === 1 && fields[0] === 'mute'
        ? `${checked.mute ? 'muted' : 'unmuted'} ${name}`
        : fields.length === 1 && fields[0] === 'solo'
          ? `${checked.solo ? 'soloed' : 'unsoloed'} ${name}`
          : `changed ${fields.join(', ')} of ${name}`;
  labelledEdit(
    doc,
    label,
    () => {
      for (const [k, v] of Object.entries(checked)) track.set(k, v);
    },
    options,
  );
}

/**
 * Gives a track to a bandmate (their identity id and display name) or, with null, to nobody:
 * "gave Bass to Sam". Under the 'own-track' room rule a student edits only the tracks whose
 * ownerId is theirs. A track of an older document that names an owner without an id is given
 * like any other (its old name is replaced).
 */
export function setTrackOwner(doc: Y.Doc, trackId: string, owner: EditAuthor | null, options?: EditOptions): void {
  const track = requireTrack(doc, trackId);
  const name = track.get('name') as string;
  const next = owner === null ? null : checkAuthor(owner);
  const previous = track.get('ownerId') ? track.get('owner') : null;
  const label = next
    ? `gave ${name} to ${next.name}`
    : typeof previous === 'string' && previous
      ? `took ${name} back from ${previous}`
      : `made ${name} nobody's`;
  labelledEdit(
    doc,
    label,
    () => {
      if (next) {
        track.set('ownerId', next.id);
        track.set('owner', next.name);
      } else {
        track.delete('ownerId');
        track.delete('owner');
      }
    },
    options,
  );
}

/** Removes a track and every clip on it. */
export function removeTrack(doc: Y.Doc, trackId: string, options?: EditOptions): void {
  const track = requireTrack(doc, trackId);
  labelledEdit(
    doc,
    `removed track ${track.get('name') as string}`,
    () => {
      const clips = clipsMap(doc);
      for (const [clipId, clip] of [...clips.entries()]) if (clip.get('trackId') === trackId) clips.delete(clipId);
      tracksMap(doc).delete(trackId);
    },
    options,
  );
}

// --------------------------------------------------------------------------------------- clips

export interface NewClip {
  trackId: string;
  startBar: number;
  lengthBars: number;
  name?: string;
  notes?: NoteInput[];
  provenance?: Provenance | null;
}

function requireClip(doc: Y.Doc, clipId: string): ClipMap {
  const clip = clipsMap(doc).get(clipId);
  if (!clip) throw new EditError(`no clip with id ${clipId}`);
  return clip;
}

function clipTicks(doc: Y.Doc, clip: ClipMap): Ticks {
  return (clip.get('lengthBars') as number) * ticksPerBar(readMeta(doc).meter);
}

function checkPlacement(startBar: number, lengthBars: number): void {
  checkInt('clip start bar', startBar, 0, MAX_BARS - 1);
  checkInt('clip length in bars', lengthBars, 1, MAX_BARS - startBar);
}

/** Adds a clip (with optional notes) and returns its id. */
export function addClip(doc: Y.Doc, input: NewClip, options?: EditOptions): string {
  requireTrack(doc, input.trackId);
  checkPlacement(input.startBar, input.lengthBars);
  const name = checkString('clip name', input.name ?? '', 100);
  const ticks = input.lengthBars * ticksPerBar(readMeta(doc).meter);
  const notes = (input.notes ?? []).map((n) => checkNote(n, ticks));
  const id = newId();
  const label = notes.length ? `added clip with ${plural(notes.length, 'note')}` : 'added clip';
  labelledEdit(
    doc,
    label,
    () => {
      const clip = new Y.Map<unknown>();
      clip.set('trackId', input.trackId);
      clip.set('name', name);
      clip.set('startBar', input.startBar);
      clip.set('lengthBars', input.lengthBars);
      clip.set('locked', false);
      clip.set('provenance', input.provenance ?? null);
      const noteMap = new Y.Map<NoteInput>();
      for (const n of notes) noteMap.set(newId(), n);
      clip.set('notes', noteMap);
      clipsMap(doc).set(id, clip);
    },
    options,
  );
  return id;
}

/** Moves a clip in time and optionally to another track. */
export function moveClip(doc: Y.Doc, clipId: string, to: { startBar: number; trackId?: string }, options?: EditOptions): void {
  const clip = requireClip(doc, clipId);
  checkPlacement(to.startBar, clip.get('lengthBars') as number);
  if (to.trackId !== undefined) requireTrack(doc, to.trackId);
  labelledEdit(
    doc,
    `moved clip to bar ${to.startBar + 1}`,
    () => {
      clip.set('startBar', to.startBar);
      if (to.trackId !== undefined) clip.set('trackId', to.trackId);
    },
    options,
  );
}

/** Changes a clip's length; notes past the new end stay stored but are not played. */
export function resizeClip(doc: Y.Doc, clipId: string, lengthBars: number, options?: EditOptions): void {
  const clip = requireClip(doc, clipId);
  checkPlacement(clip.get('startBar') as number, lengthBars);
  labelledEdit(doc, `resized clip to ${plural(lengthBars, 'bar')}`, () => clip.set('lengthBars', lengthBars), options);
}

/** Copies a clip with its notes to another start bar (and track); returns the new clip's id. */
export function duplicateClip(doc: Y.Doc, clipId: string, to: { startBar: number; trackId?: string }, options?: EditOptions): string {
  const source = requireClip(doc, clipId);
  const trackId = to.trackId ?? (source.get('trackId') as string);
  requireTrack(doc, trackId);
  const lengthBars = source.get('lengthBars') as number;
  checkPlacement(to.startBar, lengthBars);
  const id = newId();
  labelledEdit(
    doc,
    `duplicated clip to bar ${to.startBar + 1}`,
    () => {
      const clip = new Y.Map<unknown>();
      clip.set('trackId', trackId);
      clip.set('name', source.get('name'));
      clip.set('startBar', to.startBar);
      clip.set('lengthBars', lengthBars);
      clip.set('locked', false);
      clip.set('provenance', source.get('provenance') ?? null);
      const notes = new Y.Map<NoteInput>();
      for (const n of clipNotes(source).values()) notes.set(newId(), { ...n });
      clip.set('notes', notes);
      clipsMap(doc).set(id, clip);
    },
    options,
  );
  return id;
}

export function deleteClip(doc: Y.Doc, clipId: string, options?: EditOptions): void {
  requireClip(doc, clipId);
  labelledEdit(doc, 'deleted clip', () => clipsMap(doc).delete(clipId), options);
}

export function renameClip(doc: Y.Doc, clipId: string, name: string, options?: EditOptions): void {
  const clip = requireClip(doc, clipId);
  checkString('clip name', name, 100);
  labelledEdit(doc, `renamed clip to "${name}"`, () => clip.set('name', name), options);
}

/** A locked clip is never changed by the AI bandmate. */
export function setClipLocked(doc: Y.Doc, clipId: string, locked: boolean, options?: EditOptions): void {
  const clip = requireClip(doc, clipId);
  labelledEdit(doc, locked ? 'locked clip' : 'unlocked clip', () => clip.set('locked', locked), options);
}

// --------------------------------------------------------------------------------------- notes

function requireUnlocked(clip: ClipMap): void {
  if (clip.get('locked')) throw new EditError('the clip is locked');
}

/** Adds notes to a clip; returns their ids in input order. */
export function addNotes(doc: Y.Doc, clipId: string, notes: NoteInput[], options?: EditOptions): string[] {
  return writeNotes(doc, clipId, notes, `added ${plural(notes.length, 'note')}`, () => {}, options);
}

/**
 * Checks `notes` against an unlocked clip and, in one labelled edit, runs `before` on the clip
 * and adds them with new ids (returned in input order).
 */
function writeNotes(
  doc: Y.Doc,
  clipId: string,
  notes: NoteInput[],
  label: string,
  before: (clip: ClipMap) => void,
  options?: EditOptions,
): string[] {
  const clip = requireClip(doc, clipId);
  requireUnlocked(clip);
  const ticks = clipTicks(doc, clip);
  const checked = notes.map((n) => checkNote(n, ticks));
  const ids = checked.map(() => newId());
  labelledEdit(
    doc,
    label,
    () => {
      before(clip);
      const map = clipNotes(clip);
      checked.forEach((n, i) => map.set(ids[i]!, n));
    },
    options,
  );
  return ids;
}

function requireNote(clip: ClipMap, noteId: string): NoteInput {
  const note = clipNotes(clip).get(noteId);
  if (!note) throw new EditError(`no note with id ${noteId} in this clip`);
  return note;
}

/** Shifts notes in time and pitch together (a drag in the piano roll). */
export function moveNotes(
  doc: Y.Doc,
  clipId: string,
  noteIds: string[],
  by: { ticks?: number; semitones?: number },
  options?: EditOptions,
): void {
  const clip = requireClip(doc, clipId);
  requireUnlocked(clip);
  const ticks = clipTicks(doc, clip);
  const moved = noteIds.map((id) => {
    const n = requireNote(clip, id);
    return [id, checkNote({ ...n, tick: n.tick + (by.ticks ?? 0), pitch: n.pitch + (by.semitones ?? 0) }, ticks)] as const;
  });
  labelledEdit(
    doc,
    `moved ${plural(moved.length, 'note')}`,
    () => {
      const map = clipNotes(clip);
      for (const [id, n] of moved) map.set(id, n);
    },
    options,
  );
}

export type NotePatch = { id: string } & Partial<NoteInput>;

/** Sets fields of individual notes (resize, velocity, exact position). */
export function updateNotes(doc: Y.Doc, clipId: string, patches: NotePatch[], options?: EditOptions): void {
  const clip = requireClip(doc, clipId);
  requireUnlocked(clip);
  const ticks = clipTicks(doc, clip);
  const updated = patches.map(({ id, ...patch }) => [id, checkNote({ ...requireNote(clip, id), ...patch }, ticks)] as const);
  const fields = new Set(patches.flatMap((p) => Object.keys(p).filter((k) => k !== 'id')));
  const what =
    fields.size === 1 && fields.has('velocity')
      ? 'changed velocity of'
      : fields.size === 1 && fields.has('duration')
        ? 'resized'
        : 'edited';
  labelledEdit(
    doc,
    `${what} ${plural(updated.length, 'note')}`,
    () => {
      const map = clipNotes(clip);
      for (const [id, n] of updated) map.set(id, n);
    },
    options,
  );
}

export function deleteNotes(doc: Y.Doc, clipId: string, noteIds: string[], options?: EditOptions): void {
  const clip = requireClip(doc, clipId);
  requireUnlocked(clip);
  for (const id of noteIds) requireNote(clip, id);
  labelledEdit(
    doc,
    `deleted ${plural(noteIds.length, 'note')}`,
    () => {
      const map = clipNotes(clip);
      for (const id of noteIds) map.delete(id);
    },
    options,
  );
}

/**
 * Replaces all notes of a clip (a generated or imported take) and records where they came from.
 * Returns the new note ids.
 */
export function replaceClipNotes(
  doc: Y.Doc,
  clipId: string,
  notes: NoteInput[],
  provenance: Provenance | null,
  label: string,
  options?: EditOptions,
): string[] {
  return writeNotes(
    doc,
    clipId,
    notes,
    label,
    (clip) => {
      const map = clipNotes(clip);
      for (const id of [...map.keys()]) map.delete(id);
      clip.set('provenance', provenance);
    },
    options,
  );
}

// -------------------------------------------------------------------------------------- chords

export type ChordInput = Omit<Chord, 'id'>;

const CHORD_SYMBOL = /^[A-G](#|b)?[A-Za-z0-9+#b()°ø^-]*(\/[A-G](#|b)?)?$/;

/**
 * Writes the chord track between two song positions: chords starting in [from, to) are replaced
 * by the given ones (which must lie in that range).
 */
export function setChords(doc: Y.Doc, from: Ticks, to: Ticks, chords: ChordInput[], options?: EditOptions): void {
  checkInt('chord range start', from, 0, Number.MAX_SAFE_INTEGER);
  checkInt('chord range end', to, from + 1, Number.MAX_SAFE_INTEGER);
  const checked = chords.map((c) => {
    checkInt('chord position', c?.tick, from, to - 1);
    checkInt('chord duration', c.duration, 1, Number.MAX_SAFE_INTEGER);
    if (typeof c.symbol !== 'string' || !CHORD_SYMBOL.test(c.symbol)) {
      throw new EditError(`not a chord symbol: ${String(c.symbol)}`);
    }
    return { tick: c.tick, duration: c.duration, symbol: c.symbol };
  });
  const label = checked.length ? `set chords ${checked.map((c) => c.symbol).join(' ')}` : 'cleared chords';
  labelledEdit(
    doc,
    label.length > 80 ? `set ${plural(checked.length, 'chord')}` : label,
    () => {
      const map = chordsMap(doc);
      for (const [id, c] of [...map.entries()]) if (c.tick >= from && c.tick < to) map.delete(id);
      for (const c of checked) map.set(newId(), c);
    },
    options,
  );
}

// ----------------------------------------------------------------------------------- bookmarks

export function addBookmark(doc: Y.Doc, name: string, bar: number, options?: EditOptions): string {
  checkString('bookmark name', name, 100);
  checkInt('bookmark bar', bar, 0, MAX_BARS - 1);
  const id = newId();
  labelledEdit(doc, `added bookmark "${name}"`, () => bookmarksMap(doc).set(id, { name, bar }), options);
  return id;
}

export function renameBookmark(doc: Y.Doc, id: string, name: string, options?: EditOptions): void {
  const bookmark = bookmarksMap(doc).get(id);
  if (!bookmark) throw new EditError(`no bookmark with id ${id}`);
  checkString('bookmark name', name, 100);
  labelledEdit(doc, `renamed bookmark to "${name}"`, () => bookmarksMap(doc).set(id, { ...bookmark, name }), options);
}

export function deleteBookmark(doc: Y.Doc, id: string, options?: EditOptions): void {
  const bookmark = bookmarksMap(doc).get(id);
  if (!bookmark) throw new EditError(`no bookmark with id ${id}`);
  labelledEdit(doc, `deleted bookmark "${bookmark.name}"`, () => bookmarksMap(doc).delete(id), options);
}
