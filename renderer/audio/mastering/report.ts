/**
 * The measurements in plain words: one line per figure with a verdict (ok, warn, problem) and a
 * sentence a musician can act on. Pure: measurements in, lines out (the export dialog renders them).
 */
import type { MasteringChain } from './correct.ts';
import type { Measurements } from './meter.ts';

export type Verdict = 'ok' | 'warn' | 'problem';

export type Figure =
  | 'integrated-loudness'
  | 'loudness-range'
  | 'true-peak'
  | 'clipping'
  | 'stereo-balance'
  | 'stereo-correlation'
  | 'dc-offset';

export interface ReportLine {
  figure: Figure;
  /** The figure's value in `unit` (null where it does not apply, e.g. balance of a mono file). */
  value: number | null;
  unit: 'LUFS' | 'LU' | 'dBTP' | 'samples' | 'dB' | '' | '%';
  verdict: Verdict;
  words: string;
}

export interface ReportOptions {
  /** Where the listener's player normalizes to (streaming services: about -14 LUFS). */
  referenceLufs?: number;
}

/** The loudness most streaming services normalize to. */
export const STREAMING_REFERENCE_LUFS = -14;

/** Numbers as people read them: one decimal, a real minus sign, a plus where the sign matters. */
export function formatNumber(value: number, digits = 1, signed = false): string {
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return value < 0 ? `\u2212${text}` : signed ? `+${text}` : text;
}

export function report(m: Measurements, options: ReportOptions = {}): ReportLine[] {
  const reference = options.referenceLufs ?? STREAMING_REFERENCE_LUFS;
  return [loudnessLine(m, reference), rangeLine(m), truePeakLine(m), clippingLine(m), balanceLine(m), correlationLine(m), dcLine(m)];
}

function loudnessLine(m: Measurements, reference: number): ReportLine {
  const i = m.integratedLufs;
  if (!Number.isFinite(i)) {
    return {
      figure: 'integrated-loudness',
      value: null,
      unit: 'LUFS',
      verdict: 'problem',
      words: 'No loudness: the export is silent (or shorter than 0.4 s).',
    };
  }
  const lead = `${formatNumber(i)} LUFS`;
  const difference = i - reference;
  const db = formatNumber(Math.abs(difference), 0);
  const ref = `${formatNumber(reference, 0)} LUFS`;
  if (Math.abs(difference) < 1) {
    return {
      figure: 'integrated-loudness',
      value: i,
      unit: 'LUFS',
      verdict: 'ok',
      words: `${lead}: right at the ${ref} streaming services play at; they will leave it as it is.`,
    };
  }
  if (difference > 0) {
    const verdict: Verdict = difference > 5 ? 'warn' : 'ok';
    const squashed = difference > 5 ? ' Mixing this loud costs dynamics and buys nothing there.' : '';
    return {
      figure: 'integrated-loudness',
      value: i,
      unit: 'LUFS',
      verdict,
      words: `${lead}: streaming services will turn this down by about ${db} dB.${squashed}`,
    };
  }
  const verdict: Verdict = i < -30 ? 'problem' : difference < -4 ? 'warn' : 'ok';
  return {
    figure: 'integrated-loudness',
    value: i,
    unit: 'LUFS',
    verdict,
    words: `${lead}: about ${db} dB quieter than the ${ref} streaming services play at; it will sound quieter than other songs unless normalized up (right for broadcast at \u221223 LUFS).`,
  };
}

function rangeLine(m: Measurements): ReportLine {
  const lra = m.loudnessRangeLu;
  const lead = `Loudness range ${formatNumber(lra)} LU`;
  if (!Number.isFinite(m.integratedLufs) || m.durationSeconds < 3) {
    return { figure: 'loudness-range', value: null, unit: 'LU', verdict: 'ok', words: 'Loudness range needs at least 3 s of sound.' };
  }
  if (lra < 3)
    return {
      figure: 'loudness-range',
      value: lra,
      unit: 'LU',
      verdict: 'warn',
      words: `${lead}: loud and quiet parts barely differ; heavy compression can make it tiring to listen to.`,
    };
  if (lra > 20)
    return {
      figure: 'loudness-range',
      value: lra,
      unit: 'LU',
      verdict: 'warn',
      words: `${lead}: very wide; quiet passages may get lost in a car or on a phone.`,
    };
  return {
    figure: 'loudness-range',
    value: lra,
    unit: 'LU',
    verdict: 'ok',
    words: `${lead}: the difference between the song's loud and quiet parts, a usual amount for music.`,
  };
}

function truePeakLine(m: Measurements): ReportLine {
  const tp = m.truePeakDbtp;
  if (!Number.isFinite(tp))
    return { figure: 'true-peak', value: null, unit: 'dBTP', verdict: 'ok', words: 'No peaks: the export is silent.' };
  const lead = `True peak ${formatNumber(tp, 1, true)} dBTP`;
  const at = ` (at ${formatTime(m.truePeakAtSeconds)})`;
  if (tp > 0)
    return {
      figure: 'true-peak',
      value: tp,
      unit: 'dBTP',
      verdict: 'problem',
      words: `${lead}${at}: the waveform goes over full scale between samples and will distort on playback and after encoding to MP3/AAC; aim for \u22121 dBTP.`,
    };
  if (tp > -1)
    return {
      figure: 'true-peak',
      value: tp,
      unit: 'dBTP',
      verdict: 'warn',
      words: `${lead}${at}: may distort after encoding to MP3/AAC; aim for \u22121 dBTP.`,
    };
  return { figure: 'true-peak', value: tp, unit: 'dBTP', verdict: 'ok', words: `${lead}: enough headroom for MP3/AAC encoding.` };
}

function clippingLine(m: Measurements): ReportLine {
  const n = m.clippedSamples;
  if (n === 0)
    return {
      figure: 'clipping',
      value: 0,
      unit: 'samples',
      verdict: 'ok',
      words: `No clipped samples (sample peak ${formatNumber(m.samplePeakDbfs)} dBFS).`,
    };
  if (m.clipRuns === 0) {
    return {
      figure: 'clipping',
      value: n,
      unit: 'samples',
      verdict: 'warn',
      words: `${n} sample${n === 1 ? '' : 's'} touch full scale, none in a row: probably not audible, but there is no headroom left.`,
    };
  }
  return {
    figure: 'clipping',
    value: n,
    unit: 'samples',
    verdict: 'problem',
    words: `${n} clipped samples, in ${m.clipRuns} flat-topped run${m.clipRuns === 1 ? '' : 's'} (the longest ${m.longestClipRun} samples): audible as crackle or harshness; turn the mix down or use a limiter.`,
  };
}

function balanceLine(m: Measurements): ReportLine {
  const b = m.balanceDb;
  if (m.channelCount !== 2)
    return {
      figure: 'stereo-balance',
      value: null,
      unit: 'dB',
      verdict: 'ok',
      words: m.channelCount === 1 ? 'Mono: no stereo balance.' : 'Stereo balance applies to two channels.',
    };
  if (b === null)
    return {
      figure: 'stereo-balance',
      value: null,
      unit: 'dB',
      verdict: 'warn',
      words: 'One channel is silent: the mix plays from one side only.',
    };
  const side = b > 0 ? 'left' : 'right';
  const lead = `Balance ${formatNumber(Math.abs(b))} dB`;
  if (Math.abs(b) < 1)
    return { figure: 'stereo-balance', value: b, unit: 'dB', verdict: 'ok', words: `${lead}: left and right are equally loud.` };
  if (Math.abs(b) < 3)
    return {
      figure: 'stereo-balance',
      value: b,
      unit: 'dB',
      verdict: 'warn',
      words: `${lead} to the ${side}: the mix leans to the ${side}; check the pans.`,
    };
  return {
    figure: 'stereo-balance',
    value: b,
    unit: 'dB',
    verdict: 'problem',
    words: `${lead} to the ${side}: the mix is lopsided; check the pans and any track playing on one side only.`,
  };
}

function correlationLine(m: Measurements): ReportLine {
  const r = m.correlation;
  if (m.channelCount !== 2)
    return {
      figure: 'stereo-correlation',
      value: null,
      unit: '',
      verdict: 'ok',
      words: m.channelCount === 1 ? 'Mono: plays the same on every system.' : 'Correlation applies to two channels.',
    };
  if (r === null)
    return { figure: 'stereo-correlation', value: null, unit: '', verdict: 'warn', words: 'Correlation: a channel is silent.' };
  const lead = `Correlation ${formatNumber(r, 2, true)}`;
  if (r > 0.98)
    return {
      figure: 'stereo-correlation',
      value: r,
      unit: '',
      verdict: 'ok',
      words: `${lead}: practically mono; safe everywhere, but there is no stereo width.`,
    };
  if (r >= 0.2)
    return {
      figure: 'stereo-correlation',
      value: r,
      unit: '',
      verdict: 'ok',
      words: `${lead}: a healthy stereo image that also holds up in mono (phones, smart speakers).`,
    };
  if (r >= 0)
    return {
      figure: 'stereo-correlation',
      value: r,
      unit: '',
      verdict: 'warn',
      words: `${lead}: very wide; parts may thin out when played in mono (phones, smart speakers).`,
    };
  return {
    figure: 'stereo-correlation',
    value: r,
    unit: '',
    verdict: 'problem',
    words: `${lead}: the channels work against each other (a polarity or phase problem); parts will cancel when played in mono.`,
  };
}

function dcLine(m: Measurements): ReportLine {
  const worst = m.dcOffset.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
  const percent = worst * 100;
  const lead = `DC offset ${formatNumber(percent, 2, true)} %`;
  const fix = 'the waveform sits off centre, which wastes headroom and clicks at cuts; a high-pass below 20 Hz removes it.';
  if (Math.abs(worst) < 0.001) return { figure: 'dc-offset', value: percent, unit: '%', verdict: 'ok', words: `${lead}: centred.` };
  if (Math.abs(worst) < 0.01)
    return { figure: 'dc-offset', value: percent, unit: '%', verdict: 'warn', words: `${lead}: slightly off centre; ${fix}` };
  return { figure: 'dc-offset', value: percent, unit: '%', verdict: 'problem', words: `${lead}: ${fix}` };
}

function formatTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** The correction's chain in a sentence or two, for the dialog and for the export's notes. */
export function describeCorrection(chain: MasteringChain): string {
  const gain = chain.gainDb;
  const direction =
    Math.abs(gain) < 0.05 ? 'Level unchanged' : gain > 0 ? `Turned up ${formatNumber(gain)} dB` : `Turned down ${formatNumber(-gain)} dB`;
  const target = `${direction} toward ${formatNumber(chain.targetLufs, 0)} LUFS`;
  const limiter =
    chain.limiter.maxReductionDb > 0
      ? `; a limiter held the peaks to ${formatNumber(chain.limiter.ceilingDbtp, 0)} dBTP, taking up to ${formatNumber(chain.limiter.maxReductionDb)} dB off ${formatPercent(chain.limiter.limitedShare)} of the time`
      : '; no limiting was needed';
  const after = chain.measuredAfter;
  const shortBy = chain.targetLufs - after.integratedLufs;
  const result = `Result: ${formatNumber(after.integratedLufs)} LUFS, true peak ${formatNumber(after.truePeakDbtp, 1, true)} dBTP`;
  const shortfall =
    shortBy > 0.5
      ? ` (${formatNumber(shortBy)} LU short of the target: the limiter would have to squash the peaks harder to get there; a quieter target or a mix with less peaky drums lands closer).`
      : '.';
  return `${target}${limiter}. ${result}${shortfall}`;
}

function formatPercent(share: number): string {
  const percent = share * 100;
  return percent > 0 && percent < 1 ? 'under 1 %' : `${Math.round(percent)} %`;
}
