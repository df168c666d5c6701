/**
 * Export audio: the whole song or its loop range, rendered offline by the audio engine (the same
 * instruments and mix as playback, faster than real time), as a 16- or 24-bit WAV or an Opus file
 * for sharing, optionally with stems (one WAV per track heard in the mix) in a zip or a folder.
 * Saved through the FileService (or the folder picker). While it renders, the dialog says so and
 * counts the seconds; bandmates see "rendering audio…" beside this user's name.
 *
 * `master` is where the mastering checks plug in (renderer/audio/mastering/): given the rendered
 * export it returns the figures to show and, optionally, a corrected mix and the chain applied,
 * and the corrections it offers (`corrections`, `apply`). With it, the dialog shows the report
 * after rendering, lets the user pick a correction (and go back to none) and saves on a second
 * click; without it, one click renders and saves. The app passes `masterExport` (below).
 */
import { useEffect, useState } from 'react';
import type { Song } from '../../core/song/types.ts';
import type { Notify } from '../app/edit-runner.ts';
import { ModalDialog } from '../app/Dialogs.tsx';
import type { RenderedAudio } from '../audio/contract.ts';
import { renderSong } from '../audio/tone/index.ts';
import { EXPORT_FORMATS, encodeExport, renderExport, type ExportFormat, type RenderedExport } from '../export/export-song.ts';
import { canSaveToFolder, saveToFolder } from '../export/folder-save.ts';
import { LoudnessReport, type LoudnessFigure } from '../export/LoudnessReport.tsx';
import { exportInput, startMastering, type CorrectionOption } from '../export/mastering-step.ts';
import { inWorker, MASTERING_WORKER_FILE, onThisThread } from '../export/mastering-work.ts';
import { provenanceSummary } from '../export/provenance.ts';
import { stemTracks } from '../export/stems.ts';
import { exportPayload, formatPayload, hasModelParts } from '../export/watermark.ts';
import { OWNERSHIP } from '../about/about-info.ts';
import type { FileService } from '../platform/file-service.ts';
import { setActivity } from '../state/presence.ts';
import type { RoomSession } from '../state/session.ts';
import { baseName, songFileName } from './file-names.ts';
import { describeRange, loopRange, rangeSeconds, wholeSongRange, type BarRange } from './wav-range.ts';

export interface MasteringResult {
  report: LoudnessFigure[];
  /** The corrected mix to encode instead of the rendered one. */
  mix?: RenderedAudio;
  /** Written into the file's metadata (WAV INFO, Opus tags). */
  masteringChain?: Record<string, unknown>;
  /** The correction's sentence ("Turned up 4.2 dB toward −14 LUFS…"), shown under its figures. */
  summary?: string;
  /** Corrections offered ("none" first); `apply` gives each one's result (figures after it). */
  corrections?: readonly CorrectionOption[];
  apply?(id: string): Promise<MasteringResult>;
}

export type MasteringStep = (rendered: RenderedExport) => Promise<MasteringResult>;

/**
 * Lets the page paint before a long synchronous stretch (when the measuring and the correction run
 * on the main thread): one frame, then a task after it.
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * The app's mastering step: the mix measured, the loudness corrections offered; the work in a Web
 * Worker (mastering-worker.js beside index.html), on this thread between paints if it cannot start.
 */
export const masterExport: MasteringStep = async (rendered) => {
  const mix = rendered.mix;
  const work = inWorker(mix, new URL(MASTERING_WORKER_FILE, globalThis.location.href), onThisThread(mix, afterPaint));
  const session = await startMastering(mix, work);
  return { ...session.before, corrections: session.corrections, apply: (id) => session.apply(id) };
};

interface ExportAudioDialogProps {
  session: RoomSession;
  /** The song shown (ranges, lengths). */
  song: Song;
  /** The song as it is now, read when the render starts. */
  current(): Song;
  files: FileService;
  notify: Notify;
  onClose(): void;
  master?: MasteringStep;
}

type Choice = 'song' | 'loop';
type StemsTo = 'zip' | 'folder';

interface Ready {
  song: Song;
  range: BarRange;
  rendered: RenderedExport;
  /** The rendered mix's figures and the corrections offered. */
  mastering: MasteringResult | null;
  /** The correction chosen and its result (what is saved); 'none' saves the rendered mix. */
  chosen: { id: string; result: MasteringResult | null };
}

type Phase = 'render' | 'measure' | 'correct' | 'save';
const PHASE_WORDS: Record<Phase, string> = { render: 'Rendering…', measure: 'Measuring…', correct: 'Correcting…', save: 'Saving…' };

export function ExportAudioDialog({ session, song, current, files, notify, onClose, master }: ExportAudioDialogProps) {
  const whole = wholeSongRange(song);
  const loop = loopRange(song);
  const [choice, setChoice] = useState<Choice>(loop && !whole ? 'loop' : 'song');
  const [format, setFormat] = useState<ExportFormat>('wav16');
  const [stems, setStems] = useState(false);
  const [stemsTo, setStemsTo] = useState<StemsTo>('zip');
  // On by default when the song holds parts the AI bandmate wrote; the user may turn it off (or on).
  const [watermark, setWatermark] = useState(() => hasModelParts(song));
  const [started, setStarted] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [ready, setReady] = useState<Ready | null>(null);
  const [phase, setPhase] = useState<Phase>('render');
  /** The correction being computed: its radio shows chosen at once, its figures come after. */
  const [pending, setPending] = useState<string | null>(null);
  const range: BarRange | null = choice === 'loop' ? loop : whole;
  const wantStems = stems && format !== 'opus';
  const stemCount = stemTracks(song).length;

  useEffect(() => {
    if (started === null) return;
    const timer = setInterval(() => setElapsed((performance.now() - started) / 1000), 200);
    return () => clearInterval(timer);
  }, [started]);

  const save = async (job: Ready): Promise<void> => {
    const { song: now, range: bars, rendered, chosen } = job;
    // Stems are never corrected (they are for remixing); the mix, alone or in the zip, is.
    const mastering = chosen.result;
    const title = now.meta.title.trim() || 'Riffroom song';
    const name = baseName(songFileName(now.meta.title, 'x')) + (choice === 'loop' ? ` (${describeRange(bars)})` : '');
    const input = exportInput(rendered, mastering);
    const payload = watermark ? exportPayload(title, new Date()) : null;
    const encoded = await encodeExport(
      input.rendered,
      { title, provenance: provenanceSummary(now, bars), masteringChain: input.masteringChain },
      name,
      { watermark: payload },
    );
    let savedAs: string | null;
    if (encoded.stems && stemsTo === 'folder') savedAs = await saveToFolder(encoded.stems.folder, encoded.stems.files);
    else {
      const file = encoded.stems ? encoded.stems.zip : encoded.mix;
      savedAs = await files.save(file.name, file.bytes, file.mimeType);
    }
    // Cancelled in the save dialog: nothing was saved; the dialog stays to try again.
    if (!savedAs) return;
    const what = encoded.stems ? ` (the mix and ${encoded.stems.files.length - 1} stems)` : '';
    const marked = payload === null ? '' : `, watermarked ${formatPayload(payload)}`;
    notify(`Saved ${savedAs}${what} (${rangeSeconds(now, bars).toFixed(1)} s${marked})`);
    onClose();
  };

  const render = async (): Promise<void> => {
    if (!range || started !== null) return;
    setStarted(performance.now());
    setElapsed(0);
    setProgress(null);
    setPhase('render');
    setActivity(session.awareness, 'rendering audio…');
    try {
      const now = current();
      const rendered = await renderExport(
        now,
        { range, format, stems: wantStems, onProgress: (done, total) => setProgress({ done, total }) },
        renderSong,
      );
      if (master) setPhase('measure');
      const mastering = master ? await master(rendered) : null;
      const job: Ready = { song: now, range, rendered, mastering, chosen: { id: 'none', result: mastering } };
      if (master) setReady(job);
      else await save(job);
    } catch (error) {
      notify(`Could not export the audio: ${(error as Error).message}`, 'error');
    } finally {
      setStarted(null);
      setActivity(session.awareness, null);
    }
  };

  const choose = async (id: string): Promise<void> => {
    if (!ready?.mastering || started !== null || ready.chosen.id === id) return;
    const { mastering } = ready;
    if (id === 'none' || !mastering.apply) {
      setReady({ ...ready, chosen: { id: 'none', result: mastering } });
      return;
    }
    setStarted(performance.now());
    setElapsed(0);
    setPhase('correct');
    setPending(id);
    try {
      const result = await mastering.apply(id);
      setReady({ ...ready, chosen: { id, result } });
    } catch (error) {
      notify(`Could not correct the loudness: ${(error as Error).message}`, 'error');
    } finally {
      setPending(null);
      setStarted(null);
    }
  };

  const saveReady = async (): Promise<void> => {
    if (!ready || started !== null) return;
    setStarted(performance.now());
    setElapsed(0);
    setPhase('save');
    try {
      await save(ready);
    } catch (error) {
      notify(`Could not save the audio: ${(error as Error).message}`, 'error');
    } finally {
      setStarted(null);
    }
  };

  const busy = started !== null;
  const locked = busy || ready !== null;
  return (
    <ModalDialog className="file-dialog" testId="export-wav-dialog" label="Export audio" busy={busy} onClose={onClose}>
      <p>Stereo, mixed as you hear it (mute and solo included), with a short tail for the reverb.</p>
      <div className="file-form" role="radiogroup" aria-label="What to render">
        <label className="choice">
          <input
            type="radio"
            name="wav-range"
            data-testid="wav-range-song"
            checked={choice === 'song'}
            disabled={!whole || locked}
            onChange={() => setChoice('song')}
          />
          Whole song {whole ? `(${describeRange(whole)}, ${rangeSeconds(song, whole).toFixed(1)} s)` : '(the song has no clips yet)'}
        </label>
        <label className="choice">
          <input
            type="radio"
            name="wav-range"
            data-testid="wav-range-loop"
            checked={choice === 'loop'}
            disabled={!loop || locked}
            onChange={() => setChoice('loop')}
          />
          Loop range {loop ? `(${describeRange(loop)}, ${rangeSeconds(song, loop).toFixed(1)} s)` : '(no loop set)'}
        </label>
      </div>
      <div className="file-form export-options">
        <fieldset>
          <legend>Format</legend>
          {EXPORT_FORMATS.map((f) => (
            <label className="choice" key={f.id} title={f.detail}>
              <input
                type="radio"
                name="export-format"
                data-testid={`export-format-${f.id}`}
                checked={format === f.id}
                disabled={locked}
                onChange={() => setFormat(f.id)}
              />
              {f.label}
            </label>
          ))}
          <p className="export-detail">{EXPORT_FORMATS.find((f) => f.id === format)!.detail}</p>
        </fieldset>
        <fieldset>
          <legend>Stems</legend>
          <label className="choice" title={format === 'opus' ? 'Stems are WAV files: choose a WAV format' : undefined}>
            <input
              type="checkbox"
              data-testid="export-stems"
              checked={wantStems}
              disabled={locked || format === 'opus' || stemCount === 0}
              onChange={(e) => setStems(e.target.checked)}
            />
            One WAV per track ({stemCount}), with the mix
          </label>
          {wantStems && (
            <>
              <label className="choice">
                <input
                  type="radio"
                  name="stems-to"
                  data-testid="export-stems-zip"
                  checked={stemsTo === 'zip'}
                  disabled={locked}
                  onChange={() => setStemsTo('zip')}
                />
                in a zip
              </label>
              <label className="choice" title={canSaveToFolder() ? undefined : 'This browser cannot write to a folder'}>
                <input
                  type="radio"
                  name="stems-to"
                  data-testid="export-stems-folder"
                  checked={stemsTo === 'folder'}
                  disabled={locked || !canSaveToFolder()}
                  onChange={() => setStemsTo('folder')}
                />
                in a folder…
              </label>
            </>
          )}
        </fieldset>
        <fieldset>
          <legend>Watermark</legend>
          <label className="choice">
            <input
              type="checkbox"
              data-testid="export-watermark"
              checked={watermark}
              disabled={locked}
              onChange={(e) => setWatermark(e.target.checked)}
            />
            Mark the audio as made with Riffroom
          </label>
          <p className="export-detail" data-testid="export-watermark-detail">
            {hasModelParts(song, range ?? undefined)
              ? 'Parts of this song were written by the AI bandmate, so the audio carries an inaudible watermark by default: '
              : 'An inaudible watermark: '}
            a code naming this export, hidden at least 30 dB below the music in every band, that survives MP3 encoding, volume changes,
            resampling and excerpts. Anyone can check a file for it (File ▸ Check a file…).
          </p>
        </fieldset>
        <p className="export-detail" data-testid="export-ownership">
          {OWNERSHIP[0]} {OWNERSHIP[1]} (Its data and their licences: About.)
        </p>
      </div>
      {ready?.mastering && (
        <div className="mastering" data-testid="mastering">
          <h2>{ready.chosen.id === 'none' ? 'The mix' : 'Before correction'}</h2>
          <LoudnessReport figures={ready.mastering.report} testId="loudness-before" />
          {ready.mastering.corrections && ready.mastering.corrections.length > 1 && (
            <fieldset className="corrections">
              <legend>Loudness correction (true-peak limiter at −1 dBTP)</legend>
              {ready.mastering.corrections.map((c) => (
                <label className="choice" key={c.id} title={c.detail}>
                  <input
                    type="radio"
                    name="loudness-correction"
                    data-testid={`correction-${c.id}`}
                    checked={(pending ?? ready.chosen.id) === c.id}
                    disabled={busy}
                    onChange={() => void choose(c.id)}
                  />
                  {c.label}
                </label>
              ))}
            </fieldset>
          )}
          {pending === null && ready.chosen.id !== 'none' && ready.chosen.result && (
            <>
              <h2>After correction</h2>
              {ready.chosen.result.summary && (
                <p className="correction-summary" data-testid="correction-summary">
                  {ready.chosen.result.summary}
                </p>
              )}
              <LoudnessReport figures={ready.chosen.result.report} testId="loudness-after" />
            </>
          )}
        </div>
      )}
      {busy && (
        <div className="rendering" data-testid="wav-rendering" role="status">
          <progress />
          <span>
            {PHASE_WORDS[phase]} {elapsed.toFixed(1)} s
            {phase === 'render' && progress && progress.total > 1 ? ` (${progress.done} of ${progress.total} renders)` : ''}
          </span>
        </div>
      )}
      <div className="file-buttons">
        <button type="button" disabled={busy} onClick={onClose}>
          Cancel
        </button>
        {ready ? (
          <button type="button" className="active" data-testid="export-save" disabled={busy} autoFocus onClick={() => void saveReady()}>
            Save
          </button>
        ) : (
          <button
            type="button"
            className="active"
            data-testid="wav-render"
            disabled={!range || busy}
            autoFocus
            onClick={() => void render()}
          >
            {busy ? 'Rendering…' : master ? 'Render and check' : 'Render and save'}
          </button>
        )}
      </div>
    </ModalDialog>
  );
}
