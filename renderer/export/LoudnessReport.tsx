/** The export dialog's table of mastering figures (rows: see loudness-figure.ts). */
import type { LoudnessFigure } from './loudness-figure.ts';

export type { LoudnessFigure };

export function LoudnessReport({ figures, testId = 'loudness-report' }: { figures: readonly LoudnessFigure[]; testId?: string }) {
  if (!figures.length) return null;
  return (
    <table className="loudness-report" data-testid={testId}>
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
