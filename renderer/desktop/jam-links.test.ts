/** The host and join dialogs' logic: what a hosted session's links say, and the pasted-link checker. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JoinLinkCheck, SessionInfo } from '../../electron/contract.ts';
import { describeJoin, expiresIn, hostingView, linkChecker, plainError, type LinkState } from './jam-links.ts';

const NOW = Date.UTC(2025, 0, 1);
const solo: SessionInfo = {
  mode: 'solo',
  project: { name: 'Song', path: '/p/Song.riffroom' },
  invite: null,
  browserLink: null,
  lanAddress: null,
  inviteExpires: null,
};
const hosting: SessionInfo = {
  ...solo,
  mode: 'hosting',
  invite: 'http://192.168.1.20:4455/?room=Song&token=a.b',
  browserLink: 'http://192.168.1.20:4455/?room=Song&token=a.b',
  lanAddress: '192.168.1.20',
  inviteExpires: NOW / 1000 + 7 * 86400,
};

test('hosting: the links, who can reach them, and when the invite expires', () => {
  assert.equal(hostingView(solo, NOW), null);
  assert.equal(hostingView({ ...solo, mode: 'joined', project: null }, NOW), null);
  assert.deepEqual(hostingView(hosting, NOW), {
    invite: hosting.invite,
    browserLink: hosting.browserLink,
    reach: 'Bandmates on your network can join at 192.168.1.20.',
    localOnly: false,
    expires: 'in 7 days',
  });
  const alone = hostingView({ ...hosting, lanAddress: null, browserLink: null }, NOW)!;
  assert.equal(alone.localOnly, true);
  assert.match(alone.reach, /only this computer can join/);
  assert.equal(alone.browserLink, null);
  assert.equal(expiresIn(NOW / 1000 + 90, NOW), 'in 2 minutes');
  assert.equal(expiresIn(NOW / 1000 + 3 * 3600, NOW), 'in 3 hours');
  assert.equal(expiresIn(NOW / 1000 - 1, NOW), 'expired');
});

test('a good link is described in words', () => {
  assert.equal(
    describeJoin({ ok: true, room: 'jam', host: '10.0.0.2:4455', name: 'Ana', role: 'editor', expires: 0 }),
    'Room "jam" on 10.0.0.2:4455, as Ana (editor).',
  );
  assert.equal(
    describeJoin({ ok: true, room: 'jam', host: 'h', name: 'Bo', role: 'viewer', expires: 0 }),
    'Room "jam" on h, as Bo (viewing only).',
  );
  // An invite's name is a placeholder: the user gives theirs when the room opens.
  assert.equal(
    describeJoin({ ok: true, room: 'jam', host: 'h', name: 'editor', role: 'editor', expires: 0, invite: true }),
    'Room "jam" on h, as an editor: you give your name when it opens.',
  );
});

test('the checker asks once per pause in typing and keeps only the newest answer', async () => {
  const asked: string[] = [];
  const answers = new Map<string, (check: JoinLinkCheck) => void>();
  const session = {
    checkJoinLink: ({ link }: { link: string }) => {
      asked.push(link);
      return new Promise<JoinLinkCheck>((resolve) => answers.set(link, resolve));
    },
  };
  const states: LinkState[] = [];
  const checker = linkChecker(session, (s) => states.push(s), 5);
  checker.set('h');
  checker.set('ht');
  checker.set('  http://a/?room=x&token=1  ');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(asked, ['http://a/?room=x&token=1'], 'typing does not flood the bridge; the link is trimmed');
  checker.set('http://b/?room=y&token=2');
  await new Promise((r) => setTimeout(r, 20));
  answers.get('http://a/?room=x&token=1')!({ ok: true, room: 'x', host: 'a', name: 'n', role: 'editor', expires: 0 });
  answers.get('http://b/?room=y&token=2')!({ ok: false, problem: 'This token is damaged.' });
  await new Promise((r) => setTimeout(r, 0));
  const last = states.at(-1)!;
  assert.deepEqual(last, { state: 'checked', link: 'http://b/?room=y&token=2', check: { ok: false, problem: 'This token is damaged.' } });
  assert.ok(!states.some((s) => s.state === 'checked' && s.link.startsWith('http://a')), 'the stale answer was dropped');
  checker.set('   ');
  assert.deepEqual(states.at(-1), { state: 'empty' });
  checker.dispose();
});

test("a refused check shows the error without Electron's prefix", async () => {
  const states: LinkState[] = [];
  const checker = linkChecker(
    {
      checkJoinLink: () =>
        Promise.reject(
          new Error("Error invoking remote method 'riffroom:jam:check': IpcInputError: invite link: longer than 4096 characters"),
        ),
    },
    (s) => states.push(s),
    0,
  );
  checker.set('x');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(states.at(-1), {
    state: 'checked',
    link: 'x',
    check: { ok: false, problem: 'invite link: longer than 4096 characters' },
  });
  assert.equal(plainError(new Error('plain')), 'plain');
});
