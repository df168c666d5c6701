import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuItemConstructorOptions } from 'electron';
import type { RendererCommand } from '../contract.ts';
import { findMenuItem, menuTemplate, type MainCommand, type MenuState } from './menu.ts';

function build(overrides: Partial<MenuState> = {}) {
  const calls: { main: [MainCommand, string | undefined][]; renderer: RendererCommand[] } = { main: [], renderer: [] };
  const template = menuTemplate(
    { platform: 'linux', appName: 'Riffroom', recent: [], hosting: false, dev: false, ...overrides },
    { main: (c, a) => void calls.main.push([c, a]), renderer: (c) => void calls.renderer.push(c) },
  );
  return { template, calls };
}

const click = (item: MenuItemConstructorOptions | undefined): void => {
  assert.ok(item?.click, `${item?.id ?? item?.label} has a click handler`);
  (item.click as () => void)();
};
const labels = (template: MenuItemConstructorOptions[]) => template.map((m) => m.label ?? m.role);
const roles = (item: MenuItemConstructorOptions) => (item.submenu as MenuItemConstructorOptions[]).map((i) => i.role ?? i.id ?? i.type);

test('macOS has the app menu first and Close Window in File; Windows and Linux quit from File', () => {
  const mac = build({ platform: 'darwin' }).template;
  assert.deepEqual(labels(mac), ['Riffroom', '&File', '&Edit', '&View', '&Window', '&Help']);
  assert.deepEqual(roles(mac[0]!), ['about', 'separator', 'services', 'separator', 'hide', 'hideOthers', 'unhide', 'separator', 'quit']);
  assert.equal(roles(mac[1]!).at(-1), 'close');
  assert.ok(!findMenuItem(mac, 'about'), 'About lives in the app menu on macOS');
  for (const platform of ['linux', 'win32'] as const) {
    const t = build({ platform }).template;
    assert.deepEqual(labels(t), ['&File', '&Edit', '&View', '&Window', '&Help']);
    assert.equal(roles(t[0]!).at(-1), 'quit');
    assert.ok(findMenuItem(t, 'about'));
  }
});

test('File: project and session items go to the main process, song items to the page', () => {
  const { template, calls } = build({ recent: ['/home/me/Songs/Funk.riffroom', 'C:\\Music\\Ballad.riffroom'], hosting: true });
  for (const id of ['new-project', 'open-project', 'save-project-as', 'host-jam', 'join-jam', 'copy-invite', 'clear-recent'])
    click(findMenuItem(template, id));
  assert.deepEqual(
    calls.main.map(([c]) => c),
    ['new-project', 'open-project', 'save-project-as', 'host-jam', 'join-jam', 'copy-invite', 'clear-recent'],
  );
  const recent = findMenuItem(template, 'open-recent')!.submenu as MenuItemConstructorOptions[];
  assert.deepEqual(
    recent.slice(0, 2).map((i) => i.label),
    ['Funk.riffroom', 'Ballad.riffroom'],
  );
  click(recent[1]);
  assert.deepEqual(calls.main.at(-1), ['open-recent', 'C:\\Music\\Ballad.riffroom']);
  const pageItems = [
    'import-midi',
    'export-song-midi',
    'export-clip-midi',
    'export-wav',
    'check-file',
    'import-musicxml',
    'export-musicxml',
  ];
  for (const id of pageItems) click(findMenuItem(template, id));
  assert.deepEqual(calls.renderer, pageItems);
  assert.equal(findMenuItem(template, 'new-project')!.accelerator, 'CmdOrCtrl+N');
  assert.equal(findMenuItem(template, 'open-project')!.accelerator, 'CmdOrCtrl+O');
  assert.equal(findMenuItem(template, 'save-project-as')!.accelerator, 'Shift+CmdOrCtrl+S');
  const empty = build().template;
  assert.equal((findMenuItem(empty, 'open-recent')!.submenu as MenuItemConstructorOptions[])[0]!.enabled, false);
  assert.equal(findMenuItem(empty, 'copy-invite')!.enabled, false, 'no invite to copy before hosting');
});

test("Edit: Undo and Redo are the page's per-user undo, with each platform's keys", () => {
  for (const platform of ['darwin', 'linux', 'win32'] as const) {
    const { template, calls } = build({ platform });
    const undo = findMenuItem(template, 'undo')!;
    const redo = findMenuItem(template, 'redo')!;
    assert.equal(undo.role, undefined, 'not the native undo role: it would undo text, not the song');
    assert.equal(undo.accelerator, 'CmdOrCtrl+Z');
    assert.equal(redo.accelerator, platform === 'darwin' ? 'Shift+Cmd+Z' : 'Ctrl+Y');
    // The page handles the keys itself first; only macOS needs them registered (text fields).
    assert.equal(undo.registerAccelerator, platform === 'darwin');
    click(undo);
    click(redo);
    assert.deepEqual(calls.renderer, ['undo', 'redo']);
    const edit = template.find((m) => m.label === '&Edit')!;
    assert.deepEqual(
      roles(edit).filter((r) => typeof r === 'string' && ['cut', 'copy', 'paste', 'selectAll'].includes(r)),
      ['cut', 'copy', 'paste', 'selectAll'],
    );
  }
});

test('developer items only in a development build; Help shows the shortcuts', () => {
  assert.ok(!JSON.stringify(build().template).includes('toggleDevTools'));
  assert.ok(JSON.stringify(build({ dev: true }).template).includes('toggleDevTools'));
  const { template, calls } = build();
  click(findMenuItem(template, 'shortcuts'));
  assert.deepEqual(calls.renderer, ['show-shortcuts']);
});
