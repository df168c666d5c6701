/**
 * File ▸ Check a file…: what a MIDI, WAV, Opus or MusicXML file says about where its music came from, read
 * by core/provenance/read-file.ts (the same check as `riffroom-server verify`). The verdict comes
 * first, in a sentence: provenance found, none found, or why the file cannot be read; then the
 * record line by line (what the file is, the share of notes by source, each clip's author, the
 * mastering chain); for audio, whether it carries Riffroom's watermark (watermark-check.ts).
 */
import { useEffect, useState } from 'react';
import { ModalDialog } from '../app/Dialogs.tsx';
import { describeCheck, type FileCheck } from '../../core/provenance/read-file.ts';
import { checkWatermark, describeWatermark } from './watermark-check.ts';

export interface CheckedFile {
  name: string;
  check: FileCheck;
  /** The file itself: audio is also searched for the watermark. */
  bytes: Uint8Array;
}

type WatermarkState = { status: 'searching' } | { status: 'done'; found: boolean; words: string };

/** For a WAV or Opus file: searching, then what the watermark detector found. */
function useWatermark(file: CheckedFile): WatermarkState | null {
  const audio = file.check.format === 'wav' || file.check.format === 'opus';
  const [state, setState] = useState<WatermarkState | null>(audio ? { status: 'searching' } : null);
  useEffect(() => {
    if (!audio) return;
    let live = true;
    // After a paint: the search takes about 10 ms a second of audio.
    const timer = setTimeout(() => {
      checkWatermark(file.bytes).then(
        (d) => live && setState({ status: 'done', found: d.found, words: describeWatermark(d) }),
        (error: Error) =>
          live &&
          setState({ status: 'done', found: false, words: `The audio could not be decoded to look for a watermark (${error.message}).` }),
      );
    }, 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [file, audio]);
  return state;
}

export function CheckFileDialog({ file, onClose }: { file: CheckedFile; onClose(): void }) {
  const [verdict, ...details] = describeCheck(file.check).split('\n');
  const watermark = useWatermark(file);
  return (
    <ModalDialog className="file-dialog" testId="check-file-dialog" label="Check a file" heading={`Check ${file.name}`} onClose={onClose}>
      <p
        className={`check-verdict check-${file.check.status}`}
        data-testid="check-file-verdict"
        data-status={file.check.status}
        role="status"
      >
        {verdict}
      </p>
      {details.length > 0 && (
        <ul className="check-details" data-testid="check-file-details">
          {details.map((line, i) => (
            // The lines are a fixed account: their order is their identity.
            <li key={i}>{line.replace(/^- /, '')}</li>
          ))}
        </ul>
      )}
      {watermark && (
        <p
          className="check-watermark"
          data-testid="check-file-watermark"
          data-status={watermark.status === 'searching' ? 'searching' : watermark.found ? 'found' : 'none'}
        >
          {watermark.status === 'searching' ? 'Looking for a watermark in the audio…' : watermark.words}
        </p>
      )}
      <div className="file-buttons">
        <button type="button" className="active" data-testid="check-file-close" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
