/** Full-window cards: a link that cannot be used, the name prompt, the keyboard help. */
import { useState } from 'react';
import { SHORTCUTS } from './keyboard.ts';

export function JoinProblem({ problem }: { problem: string }) {
  return (
    <div className="overlay" role="alert">
      <div className="card" data-testid="join-problem">
        <h1>Cannot join this room</h1>
        <p>{problem}</p>
        <p>
          Riffroom invite links look like <code>http://host:4455/?room=my-song#token=…</code>; the host prints one when the session starts.
        </p>
      </div>
    </div>
  );
}

/**
 * Asks the user's name. Joining from an invite (`joining`), it is the name the server puts in the
 * user's own token; `problem` says why the last try failed and `busy` holds the form while the
 * server answers.
 */
export function NamePrompt({
  initial,
  onDone,
  onCancel,
  joining,
  problem,
  busy,
}: {
  initial: string;
  onDone(name: string): void;
  onCancel?(): void;
  joining?: string;
  problem?: string | null;
  busy?: boolean;
}) {
  const [name, setName] = useState(initial);
  return (
    <div className="overlay">
      <div
        className="card"
        data-testid="name-prompt"
        data-busy={busy ? 'yes' : 'no'}
        role="dialog"
        aria-labelledby="name-prompt-heading"
        onKeyDown={(e) => e.key === 'Escape' && onCancel?.()}
      >
        <h1 id="name-prompt-heading">What should your bandmates call you?</h1>
        <p>
          {joining ? `You are joining room "${joining}". ` : ''}
          Your name shows beside your cursor and your edits. It is kept in this browser.
        </p>
        {problem && (
          <p className="join-error" role="alert" data-testid="join-error">
            {problem}
          </p>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim() && !busy) onDone(name.trim().slice(0, 40));
          }}
        >
          <input
            autoFocus
            data-testid="name-input"
            value={name}
            maxLength={40}
            placeholder="Your name"
            disabled={busy}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <button type="submit" data-testid="name-join" disabled={busy || !name.trim()}>
            {busy ? 'Joining…' : 'Join'}
          </button>
        </form>
      </div>
    </div>
  );
}

export function HelpOverlay({ onClose }: { onClose(): void }) {
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: a click on the backdrop is a mouse shortcut; the keyboard has the Close button and Escape
    <div className="overlay" onClick={(e) => e.target === e.currentTarget && onClose()} data-testid="help">
      <div className="card" role="dialog" aria-labelledby="help-heading">
        <h1 id="help-heading">Keyboard and mouse</h1>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <td>{keys}</td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          <button type="button" onClick={onClose} autoFocus>
            Close
          </button>
        </p>
      </div>
    </div>
  );
}

/**
 * A modal dialog card over the window. Its keys stay in it (Space on a button must not start
 * playback); Escape closes it unless `busy`.
 */
export function ModalDialog({
  testId,
  label,
  heading,
  className,
  busy,
  onClose,
  children,
}: {
  testId: string;
  /** The dialog's accessible name, and its heading unless `heading` says otherwise. */
  label: string;
  heading?: React.ReactNode;
  /** The card's kind of layout: 'jam-dialog' or 'file-dialog'. */
  className: string;
  busy?: boolean;
  onClose(): void;
  children: React.ReactNode;
}) {
  return (
    <div className="overlay">
      <div
        className={`card ${className}`}
        data-testid={testId}
        role="dialog"
        aria-label={label}
        aria-busy={busy}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape' && !busy) onClose();
        }}
      >
        <h1>{heading ?? label}</h1>
        {children}
      </div>
    </div>
  );
}
