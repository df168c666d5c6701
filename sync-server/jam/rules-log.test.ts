import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DEFAULT_RULES, type JamServerMessage, type RoomRules } from '../../core/jam/contract.ts';
import type { TokenClaims } from '../contract.ts';
import { RoomLog } from '../store/room-log.ts';
import { Room } from '../room/room.ts';
import type { JamMember } from './jam-room.ts';
import { loadRules, rulesChangeLabel, UNREADABLE_RULES } from './rules-log.ts';

const tempPath = () => join(mkdtempSync(join(tmpdir(), 'riffroom-rules-')), 'r.riffroom');

class Member implements JamMember {
  readonly identity: TokenClaims;
  readonly clientId: string;
  readonly got: JamServerMessage[] = [];
  constructor(role: TokenClaims['role'], name: string) {
    this.identity = { room: 'r', role, name, id: `id-${name}`, exp: Number.MAX_SAFE_INTEGER };
    this.clientId = name;
  }
  send(message: JamServerMessage): void {
    this.got.push(message);
  }
  sendText(json: string): void {
    this.got.push(JSON.parse(json) as JamServerMessage);
  }
  close(): void {}
}

const setRules = (room: Room, member: Member, rules: RoomRules) => room.jam.receive(member, { v: 1, type: 'rules', rules } as never, 0);

test('labels say what changed', () => {
  const name = (id: string) => (id === 't1' ? 'Keys' : null);
  assert.equal(
    rulesChangeLabel(DEFAULT_RULES, { ...DEFAULT_RULES, students: 'live-only' }, name),
    'set the rules: students play live only',
  );
  assert.equal(
    rulesChangeLabel(DEFAULT_RULES, { transportLocked: true, students: 'own-track', spotlightTrackId: 't1' }, name),
    'set the rules: students edit their own tracks, transport locked, spotlight on Keys',
  );
  assert.equal(
    rulesChangeLabel({ transportLocked: true, students: 'edit', spotlightTrackId: 't1' }, DEFAULT_RULES, name),
    'set the rules: transport unlocked, spotlight off',
  );
  assert.equal(
    rulesChangeLabel(DEFAULT_RULES, { ...DEFAULT_RULES, spotlightTrackId: 'gone' }, name),
    'set the rules: spotlight on a track',
  );
});

test('rules set by the owner are in the log before anyone hears of them; a room loaded again starts with them', () => {
  const path = tempPath();
  let room = new Room('r', new RoomLog(path));
  const [owner, student] = [new Member('owner', 'tina'), new Member('editor', 'sam')];
  try {
    room.jam.join(owner);
    room.jam.join(student);
    const liveOnly = { ...DEFAULT_RULES, students: 'live-only' as const };
    setRules(room, owner, liveOnly);
    assert.deepEqual(
      room.log.history(0, 10).map((e) => [e.seq, e.author, e.label, e.bytes]),
      [[1, 'tina', 'set the rules: students play live only', 2]],
    );
    assert.deepEqual(student.got.at(-1), { v: 1, type: 'rules', rules: liveOnly });
    // The same rules again: nothing logged, the asker hears them back.
    setRules(room, owner, liveOnly);
    assert.equal(room.log.lastSeq, 1);
    assert.equal(owner.got.at(-1)!.type, 'rules');
    // A student cannot set them.
    setRules(room, student, DEFAULT_RULES);
    assert.equal(student.got.at(-1)!.type, 'refused');
    assert.equal(room.log.lastSeq, 1);
  } finally {
    room.close();
  }
  room = new Room('r', new RoomLog(path));
  try {
    assert.equal(room.jam.rules.students, 'live-only');
    assert.equal(room.log.verify(), null);
  } finally {
    room.close();
  }
});

test('rules that cannot be saved are refused and stay as they were', () => {
  const path = tempPath();
  const room = new Room('r', new RoomLog(path));
  const owner = new Member('owner', 'tina');
  const error = console.error;
  try {
    room.jam.join(owner);
    const db = new DatabaseSync(path);
    db.exec('DROP TABLE room_rules');
    db.close();
    console.error = () => {};
    setRules(room, owner, { ...DEFAULT_RULES, students: 'own-track' });
    assert.deepEqual(owner.got.at(-1), { v: 1, type: 'refused', reason: 'the rules could not be saved; try again', request: 'rules' });
    assert.equal(room.jam.rules.students, 'edit');
    assert.equal(room.log.lastSeq, 0);
  } finally {
    console.error = error;
    room.close();
  }
});

test('a room loads the defaults without stored rules, and locks students out when they cannot be read', () => {
  const path = tempPath();
  const log = new RoomLog(path);
  const error = console.error;
  const said: string[] = [];
  console.error = (m: string) => void said.push(m);
  try {
    assert.deepEqual(loadRules(log, 'r'), DEFAULT_RULES);
    log.saveRules({
      rules: { transportLocked: false, students: 'sometimes', spotlightTrackId: null },
      author: 'x',
      label: 'set the rules',
      time: 1,
    });
    assert.deepEqual(loadRules(log, 'r'), UNREADABLE_RULES);
    const db = new DatabaseSync(path);
    db.exec("UPDATE room_rules SET rules = 'nope'");
    db.close();
    assert.deepEqual(loadRules(log, 'r'), UNREADABLE_RULES);
    assert.equal(said.length, 2);
    assert.match(said[0]!, /students play live only until the owner sets the rules again/);
  } finally {
    console.error = error;
    log.close();
  }
});
