/**
 * About Riffroom: the app's version and licence, the AI bandmate's model card (what it is, its
 * sha256, what it learned from under which licence, the Groove MIDI Dataset's credit, how it was
 * measured) and, in plain words, what the user owns. The facts come from about.json, written
 * beside index.html at build time (about-info.ts), so the browser tab and the desktop window
 * show the same card.
 */
import { useEffect, useState } from 'react';
import { ModalDialog } from '../app/Dialogs.tsx';
import { ABOUT_FILE, type AboutInfo } from './about-info.ts';

type Loaded = { kind: 'loading' } | { kind: 'ready'; info: AboutInfo } | { kind: 'failed'; why: string };

async function loadAbout(): Promise<AboutInfo> {
  const res = await fetch(new URL(ABOUT_FILE, document.baseURI));
  if (!res.ok) throw new Error(`${ABOUT_FILE}: ${res.status} ${res.statusText}`);
  return (await res.json()) as AboutInfo;
}

export function AboutDialog({ onClose }: { onClose(): void }) {
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    loadAbout().then(
      (info) => live && setLoaded({ kind: 'ready', info }),
      (error: Error) => live && setLoaded({ kind: 'failed', why: error.message }),
    );
    return () => {
      live = false;
    };
  }, []);
  const info = loaded.kind === 'ready' ? loaded.info : null;
  return (
    <ModalDialog className="file-dialog about-dialog" testId="about-dialog" label="About Riffroom" onClose={onClose}>
      {loaded.kind === 'loading' && <p className="muted">Loading…</p>}
      {loaded.kind === 'failed' && <p className="error">The model card could not be read ({loaded.why}).</p>}
      {info && (
        <>
          <p>
            {info.app.name} {info.app.version} · {info.app.license} licence
          </p>
          <h2>What you own</h2>
          {info.ownership.map((p) => (
            <p key={p}>{p}</p>
          ))}
          <h2>The AI bandmate: {info.model.name}</h2>
          <p>{info.model.description}</p>
          <p className="muted" data-testid="about-model">
            {info.model.id} · sha256 <code>{info.model.sha256}</code> · {(info.model.parameters / 1e6).toFixed(1)} M parameters ·{' '}
            {(info.model.bytes / 1e6).toFixed(1)} MB · trained on {info.model.training}
          </p>
          <h3>Trained on</h3>
          <ul data-testid="about-datasets">
            {info.model.datasets.map((d) => (
              <li key={d.name}>
                <strong>{d.name}</strong> ({d.license}) — {d.credit}. Used for {d.use}.
              </li>
            ))}
          </ul>
          <p className="muted">{info.model.dataNote}</p>
          <h3>How it was measured</h3>
          <ul>
            {info.model.evaluation.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <p>
            <a href={info.licensesFile} target="_blank" rel="noreferrer" data-testid="about-licenses">
              Third-party licences
            </a>
          </p>
        </>
      )}
      <div className="buttons">
        <button type="button" autoFocus onClick={onClose}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
