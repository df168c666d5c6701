/**
 * The desktop window's states and transitions (electron/session/desktop-session.ts) under Node,
 * with a real session host process per project (SessionManager over child_process.fork) and real
 * project files; Electron's dialogs, clipboard and window are recorders, as Electron cannot run
 * here. Open, new, save as, host, stop hosting, join (a link, the clipboard), and a crash of the
 * session host in each of the host's states and during a transition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createProject } from '../../electron/project/project-file.ts';
import { DesktopSession, type DesktopDialogs } from '../../electron/session/desktop-session.ts';
import { childProcessLauncher, SessionManager, type SessionEvent } from '../../electron/session/manager.ts';
import { getHistory, joinWithInvite } from '../support/room-api.ts';
import { waitFor } from '../support/yjs-clients.ts';

interface World {
  dir: string;
  desktop: DesktopSession;
  manager: SessionManager;
  events: SessionEvent[];
  said: string[];
  clipboard: { text: string };
  recents: string[];
  changes: () => number;
  /** What the next save/open dialog answers (null: cancelled); confirm's answer. */
  answers: { savePath: string | null; openPath: string | null; confirm: boolean };
}

function world(t: { after(fn: () => unknown): void }): World {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-desktop-'));
  const manager = new SessionManager({
    launch: childProcessLauncher(fork),
    webDir: null,
    modelDir: null,
    userName: 'ann',
    restartDelayMs: 50,
  });
  const events: SessionEvent[] = [];
  manager.onEvent((e) => events.push(e));
  const said: string[] = [];
  const clipboard = { text: '' };
  const recents: string[] = [];
  let changes = 0;
  const answers = { savePath: null as string | null, openPath: null as string | null, confirm: true };
  const dialogs: DesktopDialogs = {
    error: (title, message) => void said.push(`error: ${title}: ${message}`),
    savePath: async () => answers.savePath,
    openPath: async () => answers.openPath,
    info: async (title, message, detail) => void said.push(`info: ${title}: ${message}${detail ? ` (${detail})` : ''}`),
    confirm: async (_title, message) => (said.push(`confirm: ${message}`), answers.confirm),
  };
  const desktop = new DesktopSession({
    sessions: manager,
    recents: { add: (p) => void recents.push(p), remove: (p) => void recents.splice(recents.indexOf(p), 1) },
    dialogs,
    clipboard: { writeText: (text) => void (clipboard.text = text), readText: () => clipboard.text },
    projectsFolder: () => join(dir, 'Riffroom'),
    changed: () => void changes++,
  });
  t.after(async () => {
    desktop.dispose();
    await manager.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, desktop, manager, events, said, clipboard, recents, changes: () => changes, answers };
}

function project(w: World, name: string): string {
  const path = join(w.dir, `${name}.riffroom`);
  createProject(path);
  return path;
}

/** The state's mode now (read afresh each time: a transition changes it). */
function modeOf(w: World): string | undefined {
  return w.desktop.current?.mode;
}

/** The window's room answers with the token the window would open it with. */
async function reachable(w: World): Promise<void> {
  const endpoint = w.desktop.endpoint()!;
  await getHistory({ url: w.desktop.httpUrl()! }, endpoint.room, endpoint.token);
}

test('open: solo on the project, in the recents, the window told; a file that is no project changes nothing and says why', async (t) => {
  const w = world(t);
  const song = project(w, 'Song');
  assert.equal(await w.desktop.openProject(song), true);
  assert.equal(modeOf(w), 'solo');
  assert.deepEqual(w.desktop.info().project, { name: 'Song', path: song });
  assert.equal(w.desktop.title(), 'Song — Riffroom');
  assert.deepEqual(w.recents, [song]);
  assert.equal(w.changes(), 1);
  await reachable(w);

  const junk = join(w.dir, 'junk.riffroom');
  writeFileSync(junk, 'not a project');
  assert.equal(await w.desktop.openProject(junk), false);
  assert.match(w.said.at(-1)!, /^error: Cannot open junk\.riffroom: /);
  assert.equal(w.desktop.info().project?.path, song, 'still on the song');
  assert.equal(w.changes(), 1);
  // A recent that no longer opens leaves the list.
  w.recents.push(junk);
  await w.desktop.openRecent(junk);
  assert.deepEqual(w.recents, [song]);
});

test('new: untitled without asking; asked, a cancel does nothing and a name makes and opens that file', async (t) => {
  const w = world(t);
  await w.desktop.newProject({ untitled: true });
  const first = w.desktop.info().project!;
  assert.match(first.name, /^Untitled/);
  assert.ok(existsSync(first.path) && first.path.startsWith(join(w.dir, 'Riffroom')));
  w.answers.savePath = null;
  await w.desktop.newProject();
  assert.equal(w.desktop.info().project!.path, first.path, 'cancelled: nothing new');
  w.answers.savePath = join(w.dir, 'Named');
  await w.desktop.newProject();
  assert.equal(w.desktop.info().project!.path, join(w.dir, 'Named.riffroom'), 'the extension added');
  await reachable(w);
});

test('save as: the project goes on in the new file, in the same mode; a joined jam has nothing to save', async (t) => {
  const w = world(t);
  await w.desktop.openProject(project(w, 'Draft'));
  await w.desktop.hostJam();
  w.answers.savePath = join(w.dir, 'Final.riffroom');
  await w.desktop.saveAs();
  assert.equal(modeOf(w), 'hosting', 'still hosting');
  assert.equal(w.desktop.info().project!.path, join(w.dir, 'Final.riffroom'));
  assert.ok(w.recents.includes(join(w.dir, 'Final.riffroom')));
  await reachable(w);
});

test('host a jam, stop hosting: the invite on the clipboard, the info and title say so; hosting twice changes nothing', async (t) => {
  const w = world(t);
  await w.desktop.openProject(project(w, 'Jam'));
  const info = await w.desktop.hostJam();
  assert.equal(info.mode, 'hosting');
  assert.ok(info.invite && w.clipboard.text === info.invite, 'the invite on the clipboard');
  assert.equal(w.desktop.hostedLink('invite'), info.invite);
  assert.throws(() => w.desktop.hostedLink('browser'), /no web client/);
  assert.equal(w.desktop.title(), 'Jam — hosting a jam — Riffroom');
  const changes = w.changes();
  assert.deepEqual(await w.desktop.hostJam(), info, 'already hosting');
  assert.equal(w.changes(), changes);
  await reachable(w);
  const solo = await w.desktop.stopHosting();
  assert.equal(solo.mode, 'solo');
  assert.equal(solo.invite, null);
  assert.throws(() => w.desktop.hostedLink('invite'), /not hosting/);
  await reachable(w);
});

test('join: from a link the window continues in that room and the local host stops; the clipboard path asks first and explains a bad link', async (t) => {
  const host = world(t);
  await host.desktop.openProject(project(host, 'Theirs'));
  const invite = (await host.desktop.hostJam()).invite!;

  const w = world(t);
  await w.desktop.openProject(project(w, 'Mine'));
  w.clipboard.text = 'not a link';
  await w.desktop.joinFromClipboard();
  assert.match(w.said.at(-1)!, /^info: Join a jam: Copy the invite link/);
  assert.equal(modeOf(w), 'solo');

  w.clipboard.text = invite;
  w.answers.confirm = false;
  await w.desktop.joinFromClipboard();
  assert.match(w.said.at(-1)!, /^confirm: Join room "Theirs/);
  assert.equal(modeOf(w), 'solo', 'cancelled');

  w.answers.confirm = true;
  await w.desktop.joinFromClipboard();
  assert.equal(modeOf(w), 'joined');
  assert.equal(w.desktop.info().project, null);
  assert.equal(w.desktop.title(), `${basename('Theirs')} (joined) — Riffroom`);
  await waitFor(() => w.manager.state === 'stopped', 10_000, 'the local host stopped');
  assert.equal(w.desktop.httpUrl(), host.desktop.httpUrl()?.replace('127.0.0.1', new URL(invite).hostname));

  w.answers.savePath = join(w.dir, 'x.riffroom');
  await w.desktop.saveAs();
  assert.match(w.said.at(-1)!, /^error: Nothing to save/);
  await assert.rejects(w.desktop.hostJam(), /open a project of your own/);
  // Back to a project of one's own.
  await w.desktop.openProject(join(w.dir, 'Mine.riffroom'));
  assert.equal(modeOf(w), 'solo');
  await reachable(w);
});

test("a crash of the session host while solo, while hosting and during host a jam: restarted, the window's room answers, the state holds", async (t) => {
  const w = world(t);
  await w.desktop.openProject(project(w, 'Crash'));
  const crash = async (what: string) => {
    const before = w.events.filter((e) => e.type === 'restarted').length;
    process.kill(w.manager.pid!, 'SIGKILL');
    await waitFor(() => w.events.filter((e) => e.type === 'restarted').length > before, 20_000, `${what}: restarted`);
  };
  const hosted = () => {
    const state = w.desktop.current;
    assert.ok(state && state.mode !== 'joined');
    return state.hosted;
  };
  const port = hosted().port;
  await crash('solo');
  assert.equal(modeOf(w), 'solo');
  assert.equal(hosted().port, port, 'same port');
  assert.equal(hosted().projectPath, join(w.dir, 'Crash.riffroom'));
  await reachable(w);

  const invite = (await w.desktop.hostJam()).invite;
  await crash('hosting');
  assert.equal(modeOf(w), 'hosting');
  const after = w.desktop.info().invite!;
  assert.equal(
    `${new URL(after).host}${new URL(after).search}`,
    `${new URL(invite!).host}${new URL(invite!).search}`,
    'the same address and room',
  );
  // Same secret: the invite sent out before the crash still lets a bandmate in.
  const joined = await joinWithInvite({ url: w.desktop.httpUrl()! }, 'Crash', invite!.split('#token=')[1]!, 'bob');
  assert.ok(joined.token);
  await reachable(w);

  await w.desktop.stopHosting();
  // Killed while the manager brings up the hosting host: host a jam ends hosting, or says why and stays solo.
  const soloPid = w.manager.pid;
  const mark = w.events.length;
  const hosting = w.desktop.hostJam();
  // The new host is killed the moment it has a pid (in the same tick it is seen).
  await waitFor(
    () => {
      const pid = w.manager.pid;
      if (pid === undefined || pid === soloPid) return false;
      process.kill(pid, 'SIGKILL');
      return true;
    },
    10_000,
    'the hosting host started, and was killed',
  );
  const outcome = await hosting.then(
    (info) => info.mode,
    (error: Error) => `refused: ${error.message}`,
  );
  assert.ok(outcome === 'hosting' || outcome.startsWith('refused'), outcome);
  assert.equal(modeOf(w), outcome === 'hosting' ? 'hosting' : 'solo');
  // Up again after the kill: the manager brought a host back ('restarted'), or the start that
  // failed left the solo host (host a jam refused).
  await waitFor(
    () => w.events.slice(mark).some((e) => e.type === 'restarted') || outcome.startsWith('refused'),
    20_000,
    'a host runs again',
  );
  await waitFor(() => w.manager.state === 'running', 20_000, 'running');
  t.diagnostic(
    `killed during host a jam: ${outcome}; the manager: ${w.events
      .slice(mark)
      .map((e) => e.type)
      .join(', ')}`,
  );
  await reachable(w);
  assert.deepEqual(
    w.said.filter((s) => s.startsWith('error')),
    [],
    'the manager never gave up',
  );
});
