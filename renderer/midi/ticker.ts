/**
 * A steady timer for MIDI: the clock and held note-offs must go out on time in a background tab
 * too, where the page's own timers are slowed to once a second (or a minute). A dedicated
 * worker's timers are not, so the ticks come from one (as Tone.js clocks its context); where a
 * worker cannot start, the page's setInterval.
 */
export function startTicker(periodMs: number, onTick: () => void): () => void {
  try {
    const source = `setInterval(() => postMessage(0), ${Math.max(1, Math.round(periodMs))});`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url);
    worker.onmessage = () => onTick();
    return () => {
      worker.terminate();
      URL.revokeObjectURL(url);
    };
  } catch {
    const id = setInterval(onTick, periodMs);
    return () => clearInterval(id);
  }
}
