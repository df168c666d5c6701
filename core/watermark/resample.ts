/**
 * Band-limited resampling by a windowed sinc (Kaiser-like Blackman window, 16 zero crossings of
 * the lower rate), read from a table: the detector brings any input to its working rate first, so
 * a file resampled between 44.1 and 48 kHz (or recorded at any rate) is analysed on the same grid.
 */
const ZERO_CROSSINGS = 16;
const TABLE_STEPS = 256;

let kernel: Float64Array | null = null;

/** sinc(x)·window(x) for x in [0, ZERO_CROSSINGS], TABLE_STEPS points per unit. */
function kernelTable(): Float64Array {
  if (kernel) return kernel;
  const n = ZERO_CROSSINGS * TABLE_STEPS + 2;
  kernel = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = i / TABLE_STEPS;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const u = Math.min(1, x / ZERO_CROSSINGS);
    // Blackman, centred: 1 at x = 0, 0 at the last zero crossing.
    const window = 0.42 + 0.5 * Math.cos(Math.PI * u) + 0.08 * Math.cos(2 * Math.PI * u);
    kernel[i] = sinc * window;
  }
  return kernel;
}

/** `input` at `fromRate` as samples at `toRate` (a copy when the rates are equal). */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input.slice();
  const table = kernelTable();
  const ratio = fromRate / toRate;
  // Downsampling: the kernel widens so that its cutoff sits just below the new Nyquist.
  const scale = Math.min(1, toRate / fromRate) * 0.97;
  const reach = ZERO_CROSSINGS / scale;
  const outLength = Math.floor(input.length / ratio);
  const out = new Float32Array(outLength);
  for (let n = 0; n < outLength; n++) {
    const t = n * ratio;
    const first = Math.max(0, Math.ceil(t - reach));
    const last = Math.min(input.length - 1, Math.floor(t + reach));
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const x = Math.abs(i - t) * scale * TABLE_STEPS;
      const at = Math.floor(x);
      const frac = x - at;
      sum += input[i]! * (table[at]! + frac * (table[at + 1]! - table[at]!));
    }
    out[n] = sum * scale;
  }
  return out;
}
