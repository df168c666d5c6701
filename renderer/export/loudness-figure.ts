/**
 * One row of the export dialog's mastering figures (renderer/audio/mastering/ measures them):
 * what it is, its value, a verdict, and what it means in plain words
 * ("−9.1 LUFS: streaming services will turn this down by about 5 dB").
 */
export interface LoudnessFigure {
  /** "Integrated loudness", "True peak"… */
  figure: string;
  /** As shown: "−9.1 LUFS". */
  value: string;
  /** 'ok' | 'warn' | 'problem' (or 'bad') style the row; any other word is shown as it is. */
  verdict: string;
  words: string;
}
