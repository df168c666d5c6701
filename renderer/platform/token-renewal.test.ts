/** The renewal scheduler on a fake clock: when it renews, what it hands on, when it stops. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenClaims } from '../../sync-server/contract.ts';
import type { TokenAnswer } from './token-api.ts';
import { RENEWAL, renewable, renewalDue, TokenRenewal, type RenewalClock, type TokenEvent } from './token-renewal.ts';

const T0 = 1_800_000_000_000; // ms
const s = (ms: number) => ms / 1000;

class FakeClock implements RenewalClock {
  t = T0;
  private timers: { at: number; run: () => void; id: number }[] = [];
  private nextId = 1;
  now = () => this.t;
  setTimeout = (run: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, run, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  get pending() {
    return this.timers.length;
  }
  /** Moves the clock on, running each timer at its time (and the promises it starts). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.run();
      await flush();
    }
    this.t = end;
    await flush();
  }
  /** A computer that slept: the wall clock jumps, no timer ran meanwhile. */
  jump(ms: number) {
    this.t += ms;
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function claims(iatMs: number, lifeMs: number, renewUntilMs?: number, id = 'ann-1'): TokenClaims {
  return {
    room: 'song',
    role: 'editor',
    name: 'Ann',
    id,
    iat: s(iatMs),
    exp: s(iatMs + lifeMs),
    ...(renewUntilMs === undefined ? {} : { renewUntil: s(renewUntilMs) }),
  };
}

/** A server that renews as POST /renew does: same lifetime from now, never past renewUntil. */
function fakeServer(clock: FakeClock) {
  const calls: number[] = [];
  let answer: ((c: TokenClaims) => TokenAnswer) | null = null;
  const renew = async (token: string): Promise<TokenAnswer> => {
    calls.push(clock.now());
    const c = JSON.parse(token.slice('json:'.length)) as TokenClaims;
    if (answer) return answer(c);
    const now = s(clock.now());
    const exp = Math.max(c.exp, Math.min(now + (c.exp - c.iat!), c.renewUntil!));
    const next = { ...c, iat: now, exp };
    return { ok: true, token: `json:${JSON.stringify(next)}`, claims: next };
  };
  return { calls, renew, answerWith: (f: typeof answer) => void (answer = f) };
}

const start = (clock: FakeClock, c: TokenClaims, renew: (t: string) => Promise<TokenAnswer>) =>
  new TokenRenewal({ token: `json:${JSON.stringify(c)}`, claims: c, renew, clock });

test('when: 80% of the life or a minute before exp, whichever is sooner, never before half the life', () => {
  const H = 3_600_000;
  // 12 h: at 80% (9.6 h), long before the last minute.
  assert.equal(renewalDue(claims(T0, 12 * H, T0 + 48 * H), T0), T0 + 0.8 * 12 * H);
  // 4 min: a minute before exp (3 min) is sooner than 80% (3.2 min).
  assert.equal(renewalDue(claims(T0, 240_000, T0 + H), T0), T0 + 180_000);
  // 10 s: never in a loop right after issue: half its life.
  assert.equal(renewalDue(claims(T0, 10_000, T0 + H), T0), T0 + 5_000);
  // Not renewable: no renewUntil, renewUntil not past exp, an invite, expired, no issue time.
  assert.equal(renewalDue(claims(T0, H), T0), null);
  assert.equal(renewalDue(claims(T0, H, T0 + H), T0), null);
  assert.equal(renewalDue({ ...claims(T0, H, T0 + 2 * H), invite: true }, T0), null);
  assert.equal(renewalDue(claims(T0, H, T0 + 2 * H), T0 + H), null);
  const { iat: _, ...noIat } = claims(T0, H, T0 + 2 * H);
  assert.equal(renewable(noIat as TokenClaims, T0), false);
});

test('renews on time, hands each renewal on, and again for every later token until renewUntil', async () => {
  const clock = new FakeClock();
  const server = fakeServer(clock);
  const life = 10 * 60_000;
  const first = claims(T0, life, T0 + 25 * 60_000);
  const live = start(clock, first, server.renew);
  const events: TokenEvent[] = [];
  live.subscribe((e) => events.push(e));
  assert.equal(live.nextRenewalAt, T0 + 8 * 60_000, '80% of 10 minutes');

  await clock.advance(8 * 60_000 - 1);
  assert.equal(server.calls.length, 0, 'not before it is due');
  await clock.advance(1);
  assert.deepEqual(server.calls, [T0 + 8 * 60_000]);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'renewed');
  assert.equal(live.claims.exp, s(T0 + 18 * 60_000), 'the same life from the renewal');
  assert.equal(live.token, (events[0] as Extract<TokenEvent, { type: 'renewed' }>).token);

  // Next: at 80% of the new life (8 + 8 = 16 min); that one is cut at renewUntil (25 min).
  await clock.advance(8 * 60_000);
  assert.equal(server.calls.length, 2);
  assert.equal(live.claims.exp, s(T0 + 25 * 60_000));
  assert.equal(live.nextRenewalAt, null, 'exp reached renewUntil: nothing later to ask for');
  await clock.advance(60 * 60_000);
  assert.equal(server.calls.length, 2, 'no more requests');
  assert.equal(clock.pending, 0);
  assert.equal(live.renewals, 2);
  assert.match(live.endedProblem(), /^Your invite expired at .+\. Ask the host for a new link\.$/);
});

test('a token that cannot be renewed is never asked for; it says the link expired', async () => {
  const clock = new FakeClock();
  const server = fakeServer(clock);
  const live = start(clock, claims(T0, 60_000), server.renew);
  assert.equal(live.nextRenewalAt, null);
  await clock.advance(120_000);
  assert.equal(server.calls.length, 0);
  assert.equal(await live.renewNow(), false);
  assert.equal(await live.fresh(), null, 'expired: nothing to connect with');
  assert.match(live.endedProblem(), /^Your link expired at .+\. Ask the host for a new link\.$/);
});

test('a refusal stops renewal and is told; a passing failure is tried again until exp', async () => {
  const clock = new FakeClock();
  const server = fakeServer(clock);
  const live = start(clock, claims(T0, 100_000, T0 + 3_600_000), server.renew);
  const events: TokenEvent[] = [];
  live.subscribe((e) => events.push(e));
  // No network at first: tried again every RENEWAL.retryMs while the token lasts.
  server.answerWith(() => ({ ok: false, status: null, refused: false, error: 'Failed to fetch', retryAfterS: null }));
  await clock.advance(50_000); // due at half its life (a minute before exp is sooner than 80%)
  assert.equal(server.calls.length, 1);
  await clock.advance(RENEWAL.retryMs);
  assert.equal(server.calls.length, 2);
  // 429 with Retry-After: waits at least that long.
  server.answerWith(() => ({ ok: false, status: 429, refused: false, error: 'too many requests', retryAfterS: 20 }));
  await clock.advance(RENEWAL.retryMs);
  assert.equal(server.calls.length, 3);
  await clock.advance(RENEWAL.retryMs);
  assert.equal(server.calls.length, 3, 'Retry-After (20 s) is longer than the usual retry');
  // Then the server says no: no more requests, and listeners are told why.
  server.answerWith(() => ({
    ok: false,
    status: 403,
    refused: true,
    error: 'this token could be renewed until 2027-01-15 08:00 UTC: ask for a new link',
    retryAfterS: null,
  }));
  await clock.advance(RENEWAL.retryMs);
  assert.equal(server.calls.length, 4);
  assert.deepEqual(events, [{ type: 'refused', reason: 'this token could be renewed until 2027-01-15 08:00 UTC: ask for a new link' }]);
  assert.equal(live.nextRenewalAt, null);
  await clock.advance(3_600_000);
  assert.equal(server.calls.length, 4);
  assert.match(live.endedProblem(), /would not renew it \(this token could be renewed until/);
});

test('failures until exp: it stops at exp and says the access could not be renewed in time', async () => {
  const clock = new FakeClock();
  const server = fakeServer(clock);
  server.answerWith(() => ({ ok: false, status: 503, refused: false, error: 'the server is busy', retryAfterS: null }));
  const live = start(clock, claims(T0, 30_000, T0 + 3_600_000), server.renew);
  await clock.advance(120_000);
  assert.equal(server.calls.length, 2, 'at half its life (15 s), once more 10 s later; never past exp (30 s)');
  assert.equal(live.nextRenewalAt, null);
  assert.match(live.endedProblem(), /could not be renewed in time \(the server is busy\)\. Reload the page/);
});

test('a computer that slept past the time renews as soon as it wakes', async () => {
  const clock = new FakeClock();
  const server = fakeServer(clock);
  const H = 3_600_000;
  const live = start(clock, claims(T0, 12 * H, T0 + 72 * H), server.renew);
  await clock.advance(H); // steps of at most a minute meanwhile
  assert.equal(server.calls.length, 0);
  clock.jump(9 * H); // the lid closed: 10 h in, past the 9.6 h due time, no timer ran
  await clock.advance(RENEWAL.stepMs);
  assert.equal(server.calls.length, 1, 'within a step of waking');
  assert.equal(live.renewals, 1);
});

test('renewNow shares one request; fresh() renews a token about to run out; dispose stops everything', async () => {
  const clock = new FakeClock();
  const server = fakeServer(clock);
  const live = start(clock, claims(T0, 60_000, T0 + 3_600_000), server.renew);
  const [a, b] = await Promise.all([live.renewNow(), live.renewNow()]);
  assert.equal(server.calls.length, 1);
  assert.deepEqual([a, b], [false, false], 'right after issue the server keeps the exp: nothing later in hand');
  assert.equal(live.nextRenewalAt, null, 'and it does not ask again in a loop');

  const other = start(clock, claims(T0, 60_000, T0 + 3_600_000, 'bob-2'), server.renew);
  assert.equal(await other.fresh(), other.token, 'plenty of life left: the token as it is');
  clock.jump(59_000);
  const before = other.token;
  const got = await other.fresh();
  assert.ok(got && got !== before && other.claims.exp > s(T0 + 60_000), 'a second left: renewed first');
  other.dispose();
  assert.equal(clock.pending, 0);
  assert.equal(await other.renewNow(), false);
});

test('an answer for another identity is not taken', async () => {
  const clock = new FakeClock();
  const server = fakeServer(clock);
  server.answerWith((c) => ({ ok: true, token: 'someone-else', claims: { ...c, id: 'mallory', exp: c.exp + 600 } }));
  const live = start(clock, claims(T0, 60_000, T0 + 3_600_000), server.renew);
  const before = live.token;
  await clock.advance(60_000);
  assert.equal(live.token, before);
  assert.equal(live.renewals, 0);
});
