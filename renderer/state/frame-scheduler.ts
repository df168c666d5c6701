/**
 * The page's FrameScheduler for SongStore: the next animation frame, or a short timer while the
 * tab is hidden (browsers pause animation frames there, and a bandmate's edits should still be
 * in the snapshot when panels read it).
 */
import type { FrameScheduler } from '../../core/song/song-store.ts';

export const animationFrames: FrameScheduler = (callback) => {
  if (document.hidden) {
    const timer = setTimeout(callback, 250);
    return () => clearTimeout(timer);
  }
  const frame = requestAnimationFrame(() => callback());
  return () => cancelAnimationFrame(frame);
};
