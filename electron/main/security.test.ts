/**
 * Fails on an insecure window: reads the webPreferences the window is created with, the CSP and
 * the protocol headers the page is served with, and the navigation and permission policies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_ORIGIN,
  APP_SCHEME_PRIVILEGES,
  appResponseHeaders,
  contentSecurityPolicy,
  isAllowedNavigation,
  isPermissionAllowed,
  isPermissionCheckAllowed,
  newWindowPolicy,
  parseCsp,
  webPreferences,
  windowOptions,
} from './security.ts';

test('the window is isolated, sandboxed and has no Node', () => {
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    const prefs = windowOptions('/app/preload.cjs', platform).webPreferences!;
    assert.deepEqual(prefs, webPreferences('/app/preload.cjs'));
    assert.equal(prefs.contextIsolation, true, 'contextIsolation');
    assert.equal(prefs.sandbox, true, 'sandbox');
    assert.equal(prefs.nodeIntegration, false, 'nodeIntegration');
    assert.equal(prefs.nodeIntegrationInWorker, false, 'nodeIntegrationInWorker');
    assert.equal(prefs.nodeIntegrationInSubFrames, false, 'nodeIntegrationInSubFrames');
    assert.equal(prefs.webSecurity, true, 'webSecurity');
    assert.equal(prefs.allowRunningInsecureContent, false, 'allowRunningInsecureContent');
    assert.equal(prefs.webviewTag, false, 'webviewTag');
    assert.equal(prefs.experimentalFeatures, false, 'experimentalFeatures');
    assert.equal(prefs.navigateOnDragDrop, false, 'navigateOnDragDrop');
    assert.equal(prefs.preload, '/app/preload.cjs');
  }
  // Nothing that would weaken the above sneaks in by another name.
  const keys = Object.keys(webPreferences('/p'));
  for (const risky of ['enableRemoteModule', 'enableBlinkFeatures', 'additionalArguments', 'partition', 'devTools']) {
    assert.ok(!keys.includes(risky), `${risky} is not set`);
  }
});

test('the CSP allows no inline or eval script and no remote code', () => {
  for (const session of [null, 'ws://127.0.0.1:4455', 'wss://jam.example.org', 'ws://192.168.1.5:4455']) {
    const csp = parseCsp(contentSecurityPolicy(session));
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    const scripts = csp.get('script-src')!;
    assert.ok(scripts.includes("'self'"));
    for (const bad of [
      "'unsafe-inline'",
      "'unsafe-eval'",
      "'unsafe-hashes'",
      "'strict-dynamic'",
      '*',
      'data:',
      'http:',
      'https:',
      'file:',
    ]) {
      assert.ok(!scripts.includes(bad), `script-src has no ${bad}`);
    }
    assert.ok(
      scripts.every((s) => s.startsWith("'") || s === 'blob:'),
      `script-src names no remote origin: ${scripts.join(' ')}`,
    );
    assert.ok(csp.get('worker-src')!.every((s) => s === "'self'" || s === 'blob:'));
    assert.ok(!csp.get('style-src')!.includes("'unsafe-inline'"));
    for (const none of ['object-src', 'frame-src', 'frame-ancestors', 'base-uri', 'form-action'])
      assert.deepEqual(csp.get(none), ["'none'"], none);
    const connect = csp.get('connect-src')!;
    assert.ok(
      !connect.includes('*') && !connect.includes('ws:') && !connect.includes('wss:') && !connect.includes('https:'),
      'no wildcard connections',
    );
    assert.ok(
      connect.every((s) => s === "'self'" || /^wss?:\/\/[^/*]+(:\d+|:\*)?$/.test(s) || /^wss?:\/\/[^/]+$/.test(s)),
      connect.join(' '),
    );
    if (session) assert.ok(connect.includes(`${new URL(session).protocol}//${new URL(session).host}`), 'the joined server is reachable');
  }
  assert.throws(() => contentSecurityPolicy('http://evil.example'), /not a websocket URL/);
});

test('the app protocol serves the page cross-origin isolated, with the CSP', () => {
  const csp = contentSecurityPolicy(null);
  const headers = appResponseHeaders(csp);
  assert.equal(headers['Content-Security-Policy'], csp);
  assert.equal(headers['Cross-Origin-Opener-Policy'], 'same-origin');
  assert.equal(headers['Cross-Origin-Embedder-Policy'], 'require-corp');
  assert.equal(headers['X-Content-Type-Options'], 'nosniff');
  assert.equal(APP_SCHEME_PRIVILEGES.scheme, 'riffroom');
  assert.equal(APP_SCHEME_PRIVILEGES.privileges?.standard, true);
  assert.equal(APP_SCHEME_PRIVILEGES.privileges?.secure, true);
  assert.equal(APP_SCHEME_PRIVILEGES.privileges?.supportFetchAPI, true);
  assert.notEqual(APP_SCHEME_PRIVILEGES.privileges?.bypassCSP, true, 'the app scheme does not bypass CSP');
});

test('navigation to anything but the app is refused; new windows never open in the app', () => {
  assert.ok(isAllowedNavigation(`${APP_ORIGIN}/index.html?room=a&token=b`));
  for (const url of [
    'https://example.com/',
    'http://127.0.0.1:4455/',
    'file:///etc/passwd',
    'riffroom://evil/index.html',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'about:blank',
    'not a url',
    '',
  ]) {
    assert.equal(isAllowedNavigation(url), false, url);
  }
  assert.equal(newWindowPolicy('https://riffroom.app/help'), 'open-in-browser');
  for (const url of ['http://example.com', 'file:///x', 'riffroom://app/', 'javascript:1', 'smb://host/share', 'nope']) {
    assert.equal(newWindowPolicy(url), 'deny', url);
  }
});

test('permissions: MIDI without sysex and audio input for the app; everything else denied', () => {
  const app = `${APP_ORIGIN}/index.html`;
  assert.equal(isPermissionAllowed('midi', { requestingUrl: app }), true);
  assert.equal(isPermissionAllowed('midi', { requestingUrl: app, sysex: true }), false);
  assert.equal(isPermissionAllowed('midiSysex', { requestingUrl: app }), false);
  assert.equal(isPermissionAllowed('media', { requestingUrl: app, mediaTypes: ['audio'] }), true);
  assert.equal(isPermissionAllowed('media', { requestingUrl: app, mediaTypes: ['video'] }), false);
  assert.equal(isPermissionAllowed('media', { requestingUrl: app, mediaTypes: ['audio', 'video'] }), false);
  assert.equal(isPermissionAllowed('media', { requestingUrl: app }), false);
  // A folder picked for stems; not a single file, not without an access type.
  assert.equal(isPermissionAllowed('fileSystem', { requestingUrl: app, isDirectory: true, fileAccessType: 'writable' }), true);
  assert.equal(isPermissionAllowed('fileSystem', { requestingUrl: app, isDirectory: true, fileAccessType: 'readable' }), true);
  assert.equal(isPermissionAllowed('fileSystem', { requestingUrl: app, isDirectory: false, fileAccessType: 'writable' }), false);
  assert.equal(isPermissionAllowed('fileSystem', { requestingUrl: app, isDirectory: true }), false);
  assert.equal(
    isPermissionAllowed('fileSystem', { requestingUrl: 'https://evil.example/', isDirectory: true, fileAccessType: 'writable' }),
    false,
  );
  for (const p of [
    'geolocation',
    'notifications',
    'clipboard-read',
    'hid',
    'serial',
    'usb',
    'openExternal',
    'fullscreen',
    'pointerLock',
    'display-capture',
    'unknown',
  ]) {
    assert.equal(isPermissionAllowed(p, { requestingUrl: app }), false, p);
  }
  assert.equal(isPermissionAllowed('midi', { requestingUrl: 'https://evil.example/' }), false, 'only the app asks');
  assert.equal(isPermissionCheckAllowed('midi', APP_ORIGIN), true);
  assert.equal(isPermissionCheckAllowed('midi', 'https://evil.example'), false);
  assert.equal(isPermissionCheckAllowed('geolocation', APP_ORIGIN), false);
});
