/**
 * Where the selected clip came from, when the AI bandmate wrote it: model id and short sha,
 * seed, settings, who asked and when; "Re-roll exactly" runs the stored request again (and says
 * whether the notes came back the same), "Re-roll with a new seed" asks for new takes.
 */
import type { GeneratedClipDetail } from './provenance.ts';
import { summarizeProvenance } from './provenance.ts';

interface ProvenanceCardProps {
  detail: GeneratedClipDetail;
  /** The clip's notes, for tests and for comparing a re-roll. */
  fingerprint: string;
  /** The running model's sha256, when known: a re-roll on another model cannot be exact. */
  hostSha: string | null;
  /** After an exact re-roll of this clip: whether the notes came back the same. */
  match: 'same' | 'different' | null;
  busy: boolean;
  blocked: string | null;
  onRerollExact(): void;
  onRerollNewSeed(): void;
}

export function ProvenanceCard({
  detail,
  fingerprint,
  hostSha,
  match,
  busy,
  blocked,
  onRerollExact,
  onRerollNewSeed,
}: ProvenanceCardProps) {
  const s = summarizeProvenance(detail);
  const otherModel = hostSha !== null && hostSha !== detail.model.sha256;
  return (
    <section className="gen-provenance" data-testid="gen-provenance" data-notes={fingerprint} aria-label="Where this clip came from">
      <div className="gen-section-title">Written by the AI bandmate</div>
      <dl>
        <dt>Model</dt>
        <dd data-testid="gen-prov-model" title={detail.model.sha256}>
          {s.model}
        </dd>
        <dt>Seed</dt>
        <dd data-testid="gen-prov-seed">{s.seed}</dd>
        <dt>Settings</dt>
        <dd data-testid="gen-prov-settings">{s.settings}</dd>
        <dt>Take</dt>
        <dd>{s.take}</dd>
        <dt>Asked by</dt>
        <dd data-testid="gen-prov-who">{s.who}</dd>
        <dt>When</dt>
        <dd data-testid="gen-prov-when">{s.when}</dd>
        {s.engine && (
          <>
            <dt>Ran on</dt>
            <dd>{s.engine}</dd>
          </>
        )}
      </dl>
      {otherModel && <p className="gen-note">The model has changed since (now {hostSha!.slice(0, 8)}): a re-roll will not be exact.</p>}
      <div className="gen-actions">
        <button
          type="button"
          data-testid="gen-reroll-exact"
          disabled={busy || Boolean(blocked)}
          title={blocked ?? 'Run the stored request again: the same notes come back'}
          onClick={onRerollExact}
        >
          Re-roll exactly
        </button>
        <button
          type="button"
          data-testid="gen-reroll-seed"
          disabled={busy || Boolean(blocked)}
          title={blocked ?? 'The same request with a new seed'}
          onClick={onRerollNewSeed}
        >
          Re-roll with a new seed
        </button>
      </div>
      {match && (
        <p className={`gen-match ${match}`} data-testid="gen-reroll-match" data-match={match}>
          {match === 'same'
            ? 'Re-rolled exactly: the same notes came back.'
            : 'Re-rolled: the notes differ from the clip (another model or provider?).'}
        </p>
      )}
    </section>
  );
}
