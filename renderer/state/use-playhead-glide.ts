/**
 * Moves a playhead element by glides (playhead-glide.ts): the compositor animates it from bar line
 * to bar line; the main thread looks once a bar, and on a jump.
 */
import { useEffect, type RefObject } from 'react';
import type { Transport } from '../audio/transport.ts';
import { glideTickAt, planGlide, WAIT_POLL_MS, type Glide } from './playhead-glide.ts';

type Positioned = Transport & { position?: () => { songTick: number; ticksPerSecond?: number; countIn: boolean } };

export interface GlideTarget {
  /** Pixels of a tick, or null where the playhead is not shown (outside an editor's clip). */
  toPx(tick: number): number | null;
  /** A tick where a glide must stop early (an editor's clip end), if any. */
  stopAt?: number;
  /** Called with each glide's start tick (an editor shows it as data-tick). */
  onGlide?(tick: number): void;
}

/**
 * Moves `ref`'s element with the transport's playhead: stopped, at the state's playhead; playing,
 * by glides. The element's transform belongs to this hook (do not set it in JSX).
 */
export function usePlayheadGlide(ref: RefObject<HTMLElement | null>, transport: Transport, barTicks: number, target: GlideTarget): void {
  const { toPx, stopAt, onGlide } = target;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const position = (transport as Positioned).position;
    let animation: Animation | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let glide: Glide | null = null;
    let startedAt = 0;
    let wasPlaying = transport.getState().playing;

    const show = (x: number | null): void => {
      el.style.visibility = x === null ? 'hidden' : '';
      if (x !== null) el.style.transform = `translateX(${x}px)`;
    };
    const cancel = (): void => {
      clearTimeout(timer);
      animation?.cancel();
      animation = null;
    };
    const sync = (): void => {
      cancel();
      const state = transport.getState();
      if (!state.playing || typeof position !== 'function') {
        glide = null;
        const tick = state.playheadBar * barTicks;
        onGlide?.(tick);
        return show(toPx(tick));
      }
      const p = position.call(transport);
      glide = planGlide({ songTick: p.songTick, ticksPerSecond: p.ticksPerSecond ?? 0, countIn: p.countIn }, barTicks, stopAt);
      startedAt = performance.now();
      onGlide?.(glide.fromTick);
      const from = toPx(glide.fromTick);
      const to = toPx(glide.toTick);
      show(from);
      if (glide.moving && from !== null && to !== null && typeof el.animate === 'function') {
        el.style.transform = `translateX(${to}px)`;
        animation = el.animate([{ transform: `translateX(${from}px)` }, { transform: `translateX(${to}px)` }], {
          duration: glide.ms,
          easing: 'linear',
        });
      }
      // Look again where the glide ends (its bar line, or an editor clip's end), or soon while waiting.
      timer = setTimeout(sync, Math.max(glide.moving ? glide.ms : WAIT_POLL_MS, 1));
    };
    // State changes come on play/stop, seeks and quarter-bar steps: start over only when the
    // engine's position has left the glide's (a jump), not at every step.
    const check = (): void => {
      const playing = transport.getState().playing;
      if (playing !== wasPlaying || !playing || !glide || typeof position !== 'function') {
        wasPlaying = playing;
        return sync();
      }
      const p = position.call(transport);
      const drawn = glideTickAt(glide, startedAt, performance.now());
      if (Math.abs(p.songTick - drawn) > barTicks / 32 || (!glide.moving && (p.ticksPerSecond ?? 0) > 0)) sync();
    };
    sync();
    const unsubscribe = transport.subscribe(check);
    return () => {
      unsubscribe();
      cancel();
    };
  }, [ref, transport, barTicks, toPx, stopAt, onGlide]);
}
