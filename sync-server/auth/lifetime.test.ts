import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inWords, lifetimeSeconds } from './lifetime.ts';
import { TokenError } from './tokens.ts';

const DAY = 86_400;

test('a lifetime is a duration or whole seconds, the fallback when absent', () => {
  assert.equal(lifetimeSeconds(undefined, 7 * DAY, 90 * DAY), 7 * DAY);
  assert.equal(lifetimeSeconds(null, 7 * DAY, 90 * DAY), 7 * DAY);
  assert.equal(lifetimeSeconds('30d', 7 * DAY, 90 * DAY), 30 * DAY);
  assert.equal(lifetimeSeconds('12h', 7 * DAY, 90 * DAY), 12 * 3600);
  assert.equal(lifetimeSeconds('600', 7 * DAY, 90 * DAY), 600);
  assert.equal(lifetimeSeconds(600, 7 * DAY, 90 * DAY), 600);
});

test('zero, too long, fractions and non-durations are refused, naming the field', () => {
  for (const [value, why] of [
    ['0d', /inviteTtl must be longer than 0/],
    [0, /inviteTtl must be longer than 0/],
    [-5, /inviteTtl must be longer than 0/],
    ['91d', /inviteTtl can be at most 90 days/],
    ['99999999999999999999999d', /inviteTtl can be at most 90 days/],
    [1.5, /inviteTtl must be a whole number of seconds/],
    ['1 week', /inviteTtl: not a duration: 1 week/],
    [true, /inviteTtl must be a whole number of seconds/],
    [{}, /inviteTtl must be a whole number of seconds/],
  ] as const) {
    assert.throws(
      () => lifetimeSeconds(value, 7 * DAY, 90 * DAY, 'inviteTtl'),
      (err: Error) => err instanceof TokenError && why.test(err.message),
      String(value),
    );
  }
});

test('ceilings are said in words', () => {
  assert.equal(inWords(730 * DAY), '730 days');
  assert.equal(inWords(DAY), '1 day');
  assert.equal(inWords(7200), '2 hours');
  assert.equal(inWords(90), '90 seconds');
});
