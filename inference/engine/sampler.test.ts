import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../core/random.ts';
import { DEFAULT_TOP_P_BY_CHOICE, sampleToken, samplingByChoice } from './sampler.ts';

const logits = Float32Array.from([2, 1, 0.5, 3, -1, 0]);
const all = new Uint8Array(6).fill(1);

test('temperature 0 and top-k 1 pick the most likely allowed token', () => {
  assert.equal(sampleToken(logits, all, { temperature: 0, topK: 0, topP: 1 }, Math.random), 3);
  assert.equal(sampleToken(logits, all, { temperature: 1, topK: 1, topP: 1 }, Math.random), 3);
  const noThree = Uint8Array.from([1, 1, 1, 0, 1, 1]);
  assert.equal(sampleToken(logits, noThree, { temperature: 0, topK: 0, topP: 1 }, Math.random), 0);
});

test('disallowed tokens are never drawn; top-p keeps only the nucleus; a seed repeats the draws', () => {
  const allowed = Uint8Array.from([1, 1, 1, 0, 1, 1]);
  const draw = (seed: number, topP: number): number[] => {
    const random = seededRandom(seed);
    return Array.from({ length: 2000 }, () => sampleToken(logits, allowed, { temperature: 1, topK: 0, topP }, random));
  };
  const draws = draw(1, 1);
  assert.ok(!draws.includes(3));
  assert.deepEqual(new Set(draws), new Set([0, 1, 2, 4, 5]));
  assert.deepEqual(draw(1, 1), draws);
  // p(0) ≈ 0.53 of the allowed mass, p(1) ≈ 0.20: a nucleus of 0.6 holds tokens 0 and 1 only.
  assert.deepEqual(new Set(draw(2, 0.6)), new Set([0, 1]));
  const counts = [0, 0, 0, 0, 0, 0];
  for (const t of draws) counts[t]!++;
  assert.ok(Math.abs(counts[0]! / 2000 - Math.exp(2) / [2, 1, 0.5, -1, 0].reduce((s, x) => s + Math.exp(x), 0)) < 0.04);
});

test('pitch and rhythm choices: the request names them, else the role default, else topP; drums and chords have one', () => {
  const base = { temperature: 1, topK: 0, topP: 0.9 };
  const named = samplingByChoice('lead', { ...base, pitchTopP: 0.7, rhythmTopP: 0.99 });
  assert.equal(named.pitch.topP, 0.7);
  assert.equal(named.rhythm.topP, 0.99);
  assert.deepEqual(named.resolved, { ...base, pitchTopP: 0.7, rhythmTopP: 0.99 });
  for (const role of ['bass', 'keys', 'lead'] as const) {
    const { pitch, rhythm, resolved } = samplingByChoice(role, base);
    assert.equal(pitch.topP, DEFAULT_TOP_P_BY_CHOICE[role].pitch ?? 0.9);
    assert.equal(rhythm.topP, DEFAULT_TOP_P_BY_CHOICE[role].rhythm ?? 0.9);
    assert.equal(resolved.topP, 0.9, 'the request topP stays as it was');
    assert.equal(pitch.temperature, 1);
  }
  for (const role of ['drums', 'chords'] as const) {
    const { pitch, rhythm, resolved } = samplingByChoice(role, { ...base, pitchTopP: 0.5 });
    assert.equal(pitch.topP, 0.9);
    assert.equal(rhythm.topP, 0.9);
    assert.equal(resolved.pitchTopP, 0.5, 'what the request said is kept, unused');
  }
});
