/**
 * The export dialog's place for the mastering checks (renderer/audio/mastering/ measures them):
 * one row per figure — what it is, its value, a verdict, and what it means in plain words
 * ("−9.1 LUFS: streaming services will turn this down by about 5 dB").
 */
export interface LoudnessFigure {
  /** "Integrated loudness", "True peak"… */
  figure: string;
  /** As shown: "−9.1 LUFS". */
  value: string;
  /** 'ok' | 'warn' | 'bad' style the row; any other word is shown as it is. */
  verdict: string;
  words: string;
}

export function LoudnessReport({ figures }: { figures: readonly LoudnessFigure[] }) {
  if (!figures.length) return null;
  return (
    <table className="loudness-report" data-testid="loudness-report">
      <tbody>
        {figures.map((f) => (
          <tr key={f.figure} data-testid="loudness-figure" data-verdict={f.verdict}>
            <th scope="row">{f.figure}</th>
            <td className="loudness-value">{f.value}</td>
            <td className={`loudness-verdict verdict-${f.verdict}`}>{f.verdict}</td>
            <td>{f.words}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
