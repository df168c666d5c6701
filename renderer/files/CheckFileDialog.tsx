/**
 * File ▸ Check a file…: what a MIDI, WAV, Opus or MusicXML file says about where its music came from, read
 * by core/provenance/read-file.ts (the same check as `riffroom-server verify`). The verdict comes
 * first, in a sentence: provenance found, none found, or why the file cannot be read; then the
 * record line by line (what the file is, the share of notes by source, each clip's author, the
 * mastering chain).
 */
import { ModalDialog } from '../app/Dialogs.tsx';
import { describeCheck, type FileCheck } from '../../core/provenance/read-file.ts';

export interface CheckedFile {
  name: string;
  check: FileCheck;
}

export function CheckFileDialog({ file, onClose }: { file: CheckedFile; onClose(): void }) {
  const [verdict, ...details] = describeCheck(file.check).split('\n');
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
      <div className="file-buttons">
        <button type="button" className="active" data-testid="check-file-close" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
