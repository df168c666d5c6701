/**
 * Export WAV: the whole song or its loop range, rendered offline by the audio engine
 * (renderSongToWav: the same instruments and mix as playback, faster than real time) and saved
 * through the FileService. While it renders, the dialog says so and counts the seconds; bandmates
 * see "rendering WAV…" beside this user's name.
 */
import { useEffect, useState } from 'react';
import type { Song } from '../../core/song/types.ts';
import type { Notify } from '../app/edit-runner.ts';
import { renderSongToWav } from '../audio/tone/index.ts';
import type { FileService } from '../platform/file-service.ts';
import { setActivity } from '../state/presence.ts';
import type { RoomSession } from '../state/session.ts';
import { songFileName } from './file-names.ts';
import { describeRange, loopRange, rangeSeconds, wholeSongRange, type BarRange } from './wav-range.ts';

interface ExportWavDialogProps {
  session: RoomSession;
  /** The song shown (ranges, lengths). */
  song: Song;
  /** The song as it is now, read when the render starts. */
  current(): Song;
  files: FileService;
  notify: Notify;
  onClose(): void;
}

type Choice = 'song' | 'loop';

export function ExportWavDialog({ session, song, current, files, notify, onClose }: ExportWavDialogProps) {
  const whole = wholeSongRange(song);
  const loop = loopRange(song);
  const [choice, setChoice] = useState<Choice>(loop && !whole ? 'loop' : 'song');
  const [started, setStarted] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const range: BarRange | null = choice === 'loop' ? loop : whole;

  useEffect(() => {
    if (started === null) return;
    const timer = setInterval(() => setElapsed((performance.now() - started) / 1000), 200);
    return () => clearInterval(timer);
  }, [started]);

  const render = async (): Promise<void> => {
    if (!range || started !== null) return;
    setStarted(performance.now());
    setElapsed(0);
    setActivity(session.awareness, 'rendering WAV…');
    try {
      const now = current();
      const bytes = await renderSongToWav(now, { fromBar: range.fromBar, toBar: range.toBar });
      const name = songFileName(now.meta.title, 'wav').replace(/\.wav$/, choice === 'loop' ? ` (${describeRange(range)}).wav` : '.wav');
      const savedAs = await files.save(name, bytes, 'audio/wav');
      // Cancelled in the save dialog: nothing was saved; the dialog stays to try again.
      if (!savedAs) return void setStarted(null);
      notify(`Saved ${savedAs} (${rangeSeconds(now, range).toFixed(1)} s)`);
      onClose();
    } catch (error) {
      notify(`Could not render the WAV: ${(error as Error).message}`, 'error');
      setStarted(null);
    } finally {
      setActivity(session.awareness, null);
    }
  };

  const rendering = started !== null;
  return (
    // A modal dialog: its keys stay in it (Space on a button must not start playback).
    <div className="overlay" onKeyDown={(e) => {
      e.stopPropagation();
      if (e.key === 'Escape' && !rendering) onClose();
    }}>
      <div className="card file-dialog" data-testid="export-wav-dialog" role="dialog" aria-label="Export WAV" aria-busy={rendering}>
        <h1>Export WAV</h1>
        <p>16-bit stereo, 44.1 kHz, mixed as you hear it (mute and solo included), with a short tail for the reverb.</p>
        <div className="file-form" role="radiogroup" aria-label="What to render">
          <label className="choice">
            <input type="radio" name="wav-range" data-testid="wav-range-song" checked={choice === 'song'} disabled={!whole || rendering} onChange={() => setChoice('song')} />
            Whole song {whole ? `(${describeRange(whole)}, ${rangeSeconds(song, whole).toFixed(1)} s)` : '(the song has no clips yet)'}
          </label>
          <label className="choice">
            <input type="radio" name="wav-range" data-testid="wav-range-loop" checked={choice === 'loop'} disabled={!loop || rendering} onChange={() => setChoice('loop')} />
            Loop range {loop ? `(${describeRange(loop)}, ${rangeSeconds(song, loop).toFixed(1)} s)` : '(no loop set)'}
          </label>
        </div>
        {rendering && (
          <div className="rendering" data-testid="wav-rendering" role="status">
            <progress />
            <span>Rendering… {elapsed.toFixed(1)} s</span>
          </div>
        )}
        <div className="file-buttons">
          <button type="button" disabled={rendering} onClick={onClose}>Cancel</button>
          <button type="button" className="active" data-testid="wav-render" disabled={!range || rendering} autoFocus onClick={() => void render()}>
            {rendering ? 'Rendering…' : 'Render and save'}
          </button>
        </div>
      </div>
    </div>
  );
}
