/**
 * bench:jam's MIDI figures (renderer/midi/):
 *   clockOut   each peer runs the page's clock output (ClockOut, 20 ms timer, 100 ms ahead, its
 *              server → local mapping slew-limited as the page does) on its own skewed clock,
 *              following the room through the jitter proxy; every message's timestamp is read
 *              back on the true server clock: clock pulses against the ideal grid (p50/p99/max),
 *              Start against the room's downbeat, per peer.
 *   tempoIn    the external clock's tempo estimate (ClockTempo) from pulses with arrival jitter:
 *              the error after two beats, and its wobble once settled, over several tempos and seeds.
 */
import { PULSES_PER_QUARTER } from '../../renderer/midi/midi-bytes.ts';
import { ClockOut } from '../../renderer/midi/clock-out.ts';
import { pulseMs } from '../../renderer/midi/clock-out-schedule.ts';
import { ClockTempo } from '../../renderer/midi/clock-tempo.ts';
import { SteadyOffset } from '../../renderer/midi/midi-time.ts';
import type { TransportState } from '../../core/jam/contract.ts';
import { summarize, type Summary } from '../stats.ts';
import type { TestJamClient } from '../../tests/support/jam-clients.ts';

interface Sent {
  data: number[];
  /** True server time of the message's timestamp. */
  trueMs: number;
  /** Its server time as the peer's clock estimate read it when it was sent. */
  estimatedMs: number;
}

/** Starts a clock output on every peer; stop() ends them and returns what each sent. */
export function startClockOuts(peers: TestJamClient[]): { stop(): Sent[][] } {
  const sent: Sent[][] = peers.map(() => []);
  const outs = peers.map((p, i) => {
    const steady = new SteadyOffset({ slewMsPerS: 2, snapMs: 50 });
    return new ClockOut({
      transport: () => (p.client.status === 'ready' ? p.client.transport() : null),
      serverNow: () => p.client.clock.serverNow(p.clock.now()),
      perfAt: (serverMs) => {
        const local = p.clock.now();
        const now = p.client.clock.serverNow(local);
        return serverMs + steady.read(p.client.localAt(now) - now, local);
      },
      send: (data, timestamp) => {
        sent[i]!.push({ data, trueMs: p.clock.serverAt(timestamp), estimatedMs: p.client.clock.serverNow(timestamp) });
        return true;
      },
    });
  });
  const timer = setInterval(() => {
    for (const out of outs) out.tick();
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return sent;
    },
  };
}

/**
 * Each peer's clocks against the ideal grid of the room's segments and Start against the
 * downbeat: on the true server clock (what a listener would hear; the peer's clock estimate's own
 * error included), and on the server clock as the peer estimated it when sending (the MIDI
 * output's own error: its schedule and its slew-limited mapping).
 */
export function clockOutFigures(sent: Sent[][], play: TransportState, change: TransportState) {
  const figures = (time: (m: Sent) => number) => {
    const errors: number[] = [];
    const starts: number[] = [];
    for (const messages of sent) {
      const start = messages.find((m) => m.data[0] === 0xfa);
      if (start) starts.push(Math.round((time(start) - play.anchorMs) * 1000) / 1000);
      for (const m of messages) {
        const t = time(m);
        if (m.data[0] !== 0xf8 || t < play.anchorMs - 5) continue;
        const [anchor, bpm] = t < change.anchorMs - 5 ? [play.anchorMs, play.bpm] : [change.anchorMs, change.bpm];
        const p = pulseMs(bpm);
        errors.push(Math.abs(t - (anchor + Math.round((t - anchor) / p) * p)));
      }
    }
    return { pulseErrorMs: summarize(errors), startErrorMs: starts, pulses: errors.length };
  };
  return { trueServerClock: figures((m) => m.trueMs), asEstimated: figures((m) => m.estimatedMs) };
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The tempo estimate's error from jittered pulses (uniform ±jitterMs), after two beats and once settled (8 to 64 beats). */
export function tempoInFigures(jitterMs = 2): { jitterMs: number; afterTwoBeatsBpm: Summary; settledWobbleBpm: Summary; runs: number } {
  const first: number[] = [];
  const settled: number[] = [];
  let runs = 0;
  for (const bpm of [60, 90, 120, 140, 175]) {
    for (let seed = 1; seed <= 20; seed++) {
      const r = random(seed * 7919 + bpm);
      const tempo = new ClockTempo();
      const period = 60_000 / bpm / PULSES_PER_QUARTER;
      for (let i = 0; i < 64 * PULSES_PER_QUARTER; i++) {
        tempo.pulse(i * period + (r() * 2 - 1) * jitterMs);
        if (i === 2 * PULSES_PER_QUARTER - 1) first.push(Math.abs(tempo.bpm! - bpm));
        if (i >= 8 * PULSES_PER_QUARTER) settled.push(Math.abs(tempo.bpm! - bpm));
      }
      runs++;
    }
  }
  return { jitterMs, afterTwoBeatsBpm: summarize(first), settledWobbleBpm: summarize(settled), runs };
}
