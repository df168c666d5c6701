/**
 * The audio engine's layering, checked: the modules beside this file are pure (Node runs their
 * tests), so none of them may reach Tone.js, the ./tone layer or browser globals. Only ./tone/
 * makes sound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const here = new URL('./', import.meta.url);
const pure = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

test('the pure audio modules import neither Tone.js nor the tone layer, and touch no browser globals', () => {
  assert.ok(pure.length >= 10, `found ${pure.join(', ')}`);
  for (const file of pure) {
    const source = readFileSync(new URL(file, here), 'utf8');
    const imports = [...source.matchAll(/^import[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);
    for (const spec of imports) {
      assert.ok(spec !== 'tone' && !spec.startsWith('./tone/'), `${file} imports ${spec}`);
      assert.ok(spec.startsWith('./') || spec.startsWith('../../core/'), `${file} imports ${spec}: only siblings and core/`);
    }
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const global of ['window', 'document', 'AudioContext', 'OfflineAudioContext', 'requestAnimationFrame', 'navigator']) {
      assert.ok(!new RegExp(`\\b${global}\\b`).test(code), `${file} uses ${global}`);
    }
  }
});

test('the mastering checks (./mastering/) are pure too: siblings, the pure modules above, core/', () => {
  const folder = new URL('./mastering/', here);
  const files = readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  assert.ok(files.length >= 6, `found ${files.join(', ')}`);
  for (const file of files) {
    const source = readFileSync(new URL(file, folder), 'utf8');
    const specs = [...source.matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);
    for (const spec of specs) {
      const sibling = spec.startsWith('./');
      const pureModule = spec.startsWith('../') && !spec.startsWith('../tone/') && !spec.startsWith('../../');
      assert.ok(sibling || pureModule || spec.startsWith('../../../core/'), `mastering/${file} imports ${spec}`);
    }
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const global of ['window', 'document', 'AudioContext', 'OfflineAudioContext', 'requestAnimationFrame', 'navigator']) {
      assert.ok(!new RegExp(`\\b${global}\\b`).test(code), `mastering/${file} uses ${global}`);
    }
  }
});
