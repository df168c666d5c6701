/** Hostile inputs at the IPC boundary: each is refused with an IpcInputError saying what is wrong. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS } from '../contract.ts';
import {
  IpcInputError,
  parseCopyLinkRequest,
  parseDragOutRequest,
  parseFileName,
  parseJoinCheckRequest,
  parseJoinRequest,
  parseNoArguments,
  parseOpenFileRequest,
  parseProjectPath,
  parseRendererCommand,
  parseSaveFileRequest,
  parseShareOnlineRequest,
  parseShareTokenRequest,
} from './ipc-validate.ts';

const refused = (fn: () => unknown, message: RegExp): void => {
  assert.throws(fn, (e: Error) => e instanceof IpcInputError && message.test(e.message), String(message));
};

test('a good save request comes back exactly, with its own copy of the bytes', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const parsed = parseSaveFileRequest({ name: 'My Song — take 2.mid', bytes, mimeType: 'audio/midi' });
  assert.deepEqual(parsed, { name: 'My Song — take 2.mid', bytes: new Uint8Array([1, 2, 3]), mimeType: 'audio/midi' });
  bytes[0] = 9;
  assert.equal(parsed.bytes[0], 1);
});

test('wrong types are refused', () => {
  for (const value of [null, undefined, 42, 'x', [], new Uint8Array(2), () => 1])
    refused(() => parseSaveFileRequest(value), /expected an object/);
  refused(() => parseSaveFileRequest({ name: 42, bytes: new Uint8Array(), mimeType: 'audio/midi' }), /file name: expected a string/);
  refused(() => parseSaveFileRequest({ name: 'a.mid', bytes: [1, 2], mimeType: 'audio/midi' }), /expected bytes/);
  refused(() => parseSaveFileRequest({ name: 'a.mid', bytes: 'AAA', mimeType: 'audio/midi' }), /expected bytes/);
  refused(
    () => parseSaveFileRequest({ name: 'a.mid', bytes: new Uint8Array(), mimeType: 'text/html; charset=utf-8<script>' }),
    /not a MIME type/,
  );
  refused(() => parseOpenFileRequest({ accept: '.mid' }), /list of extensions/);
  refused(() => parseOpenFileRequest({ accept: [1] }), /expected a string/);
  refused(() => parseJoinRequest({ link: { href: 'http://x' } }), /expected a string/);
  refused(
    () =>
      parseSaveFileRequest(
        new (class Fake {
          name = 'a';
        })(),
      ),
    /plain object/,
  );
});

test('huge inputs are refused before anything is done with them', () => {
  refused(() => parseFileName('a'.repeat(LIMITS.fileNameChars + 1)), /longer than/);
  refused(() => parseJoinRequest({ link: `http://h/?room=a&token=${'t'.repeat(LIMITS.linkChars)}` }), /longer than/);
  refused(() => parseOpenFileRequest({ accept: Array.from({ length: 100 }, () => '.mid') }), /1 to 16/);
  // A view claiming more than the limit (no real allocation: a length check on a fake).
  const huge = Object.create(Uint8Array.prototype, { byteLength: { value: LIMITS.fileBytes + 1 } });
  refused(() => parseSaveFileRequest({ name: 'a.wav', bytes: huge, mimeType: 'audio/wav' }), /larger than/);
});

test('path traversal and path syntax never reach the file system', () => {
  for (const name of [
    '../../etc/passwd',
    '..',
    '.',
    '/etc/passwd',
    'C:\\Windows\\x.mid',
    'a/b.mid',
    'a\\b.mid',
    'x\0.mid',
    'CON',
    'nul.txt',
    'a.mid ',
    'song.',
    'a:b.mid',
    'a\nb.mid',
  ]) {
    refused(() => parseFileName(name), /file name/);
  }
  refused(() => parseProjectPath('/home/me/song.riffroom\0.txt'), /NUL/);
  refused(() => parseProjectPath('/etc/passwd'), /not a \.riffroom file/);
  assert.equal(parseProjectPath('/home/me/My Song.riffroom'), '/home/me/My Song.riffroom');
});

test('prototype-pollution objects are refused and pollute nothing', () => {
  const polluted = JSON.parse('{"name":"a.mid","bytes":null,"mimeType":"audio/midi","__proto__":{"polluted":true}}');
  refused(() => parseSaveFileRequest(polluted), /unexpected field "__proto__"/);
  refused(
    () => parseOpenFileRequest(JSON.parse('{"accept":[".mid"],"constructor":{"prototype":{"polluted":true}}}')),
    /unexpected field "constructor"/,
  );
  refused(() => parseJoinRequest({ link: 'http://h/?room=a&token=b', extra: 1 }), /unexpected field "extra"/);
  refused(() => parseOpenFileRequest({ accept: ['.mid'], [Symbol('s')]: 1 }), /unexpected field/);
  const withGetter = Object.defineProperty({}, 'accept', { enumerable: true, get: () => ['.mid'] });
  refused(() => parseOpenFileRequest(withGetter), /accessor/);
  assert.equal(({} as { polluted?: boolean }).polluted, undefined, 'Object.prototype untouched');
  // A null-prototype object is fine, and the result is a fresh value.
  const bare = Object.assign(Object.create(null), { accept: ['.MID', '.midi'] });
  assert.deepEqual(parseOpenFileRequest(bare), { accept: ['.mid', '.midi'] });
});

test('invite links, menu commands and argument-less channels', () => {
  assert.deepEqual(parseJoinRequest({ link: ' https://jam.example.org/?room=song&token=a.b ' }), {
    link: 'https://jam.example.org/?room=song&token=a.b',
  });
  assert.deepEqual(parseJoinRequest({ link: 'ws://10.0.0.2:4455/song?token=a.b' }), { link: 'ws://10.0.0.2:4455/song?token=a.b' });
  assert.deepEqual(parseJoinRequest({ link: 'http://10.0.0.2:4455/?room=song#token=a.b' }), {
    link: 'http://10.0.0.2:4455/?room=song#token=a.b',
  });
  refused(() => parseJoinRequest({ link: 'javascript:alert(1)' }), /http/);
  refused(() => parseJoinRequest({ link: 'file:///etc/passwd?room=a&token=b' }), /http/);
  refused(() => parseJoinRequest({ link: 'http://user:pw@h/?room=a&token=b' }), /password/);
  refused(() => parseJoinRequest({ link: 'http://h/?room=a' }), /no room or token/);
  refused(() => parseJoinRequest({ link: 'http://h/?room=a#token=' }), /no room or token/);
  refused(() => parseJoinRequest({ link: 'not a link' }), /not a link/);
  assert.equal(parseRendererCommand('undo'), 'undo');
  refused(() => parseRendererCommand('rm -rf'), /unknown command/);
  refused(() => parseRendererCommand({}), /unknown command/);
  parseNoArguments('session info', []);
  refused(() => parseNoArguments('session info', ['x']), /takes no arguments/);
});

/** A minimal Standard MIDI File header (what clipToMidi writes first). */
const MTHD = new Uint8Array([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 1, 0, 1, 1, 0xe0]);

test('a clip dragged out: names as free text, MIDI bytes only, within the drag limit', () => {
  const parsed = parseDragOutRequest({ trackName: '../Bass', clipName: '', bytes: MTHD });
  assert.deepEqual(
    parsed,
    { trackName: '../Bass', clipName: '', bytes: MTHD },
    'names are made safe where the file is written (drag-files.ts)',
  );
  assert.notEqual(parsed.bytes, MTHD, 'a copy');
  refused(() => parseDragOutRequest({ trackName: '', clipName: 'x', bytes: MTHD }), /track name: must not be empty/);
  refused(() => parseDragOutRequest({ trackName: 'a'.repeat(LIMITS.dragNameChars + 1), clipName: '', bytes: MTHD }), /longer than/);
  refused(() => parseDragOutRequest({ trackName: 'Bass', clipName: 7, bytes: MTHD }), /clip name: expected a string/);
  refused(
    () => parseDragOutRequest({ trackName: 'Bass', clipName: '', bytes: new TextEncoder().encode('#!/bin/sh\nrm -rf ~ # padding') }),
    /not a Standard MIDI File/,
  );
  refused(() => parseDragOutRequest({ trackName: 'Bass', clipName: '', bytes: [...MTHD] }), /expected bytes/);
  const huge = Object.create(Uint8Array.prototype, { byteLength: { value: LIMITS.dragBytes + 1 } });
  refused(() => parseDragOutRequest({ trackName: 'Bass', clipName: '', bytes: huge }), /larger than 8388608 bytes/);
  refused(() => parseDragOutRequest({ trackName: 'Bass', clipName: '', bytes: MTHD, path: '/etc/passwd' }), /unexpected field "path"/);
});

test('copy-link and join-check requests', () => {
  assert.deepEqual(parseCopyLinkRequest({ which: 'invite' }), { which: 'invite' });
  assert.deepEqual(parseCopyLinkRequest({ which: 'browser' }), { which: 'browser' });
  refused(() => parseCopyLinkRequest({ which: 'anything I like' }), /which must be/);
  refused(() => parseCopyLinkRequest({ which: 'invite', text: 'evil' }), /unexpected field "text"/);
  assert.deepEqual(parseJoinCheckRequest({ link: '' }), { link: '' }, 'parseJoinLink explains an empty link');
  assert.deepEqual(parseJoinCheckRequest({ link: 'not a link' }), { link: 'not a link' });
  refused(() => parseJoinCheckRequest({ link: 'x'.repeat(LIMITS.linkChars + 1) }), /longer than/);
  refused(() => parseJoinCheckRequest({ link: null }), /expected a string, got null/);
  refused(() => parseJoinCheckRequest({}), /expected a string/);
});

test('share requests: origin, room and a token or null; nothing else', () => {
  assert.deepEqual(parseShareOnlineRequest({ origin: 'https://jam.example.org', room: 'my-song', creatorToken: null }), {
    origin: 'https://jam.example.org',
    room: 'my-song',
    creatorToken: null,
  });
  assert.equal(parseShareOnlineRequest({ origin: 'https://jam.example.org', room: 'my-song', creatorToken: 'abc' }).creatorToken, 'abc');
  refused(
    () => parseShareOnlineRequest({ origin: 'https://jam.example.org', room: 'r', creatorToken: null, path: '/etc/passwd' }),
    /unexpected field "path"/,
  );
  refused(
    () => parseShareOnlineRequest({ origin: 'https://jam.example.org', room: 'r'.repeat(65), creatorToken: null }),
    /room name: longer than 64/,
  );
  refused(() => parseShareOnlineRequest({ origin: 7, room: 'r', creatorToken: null }), /server address: expected a string/);
  assert.deepEqual(parseShareTokenRequest({ origin: null }), { origin: null });
  refused(() => parseShareTokenRequest({ origin: 'x'.repeat(LIMITS.linkChars + 1) }), /longer than/);
});
