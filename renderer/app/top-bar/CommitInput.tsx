/**
 * An input that edits a shared value: it shows the song's current value (a bandmate's change
 * included, even while this field has focus) until the user types; Enter or leaving the field
 * commits what they typed as one edit, Escape drops it. Committing on every keystroke would make
 * every letter a history entry, and committing a field nobody typed in would put back a value a
 * bandmate has just changed.
 */
import { useRef, useState, type InputHTMLAttributes } from 'react';

interface CommitInputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'defaultValue'> {
  value: string;
  /** Called with what the user typed when it differs from `value`. An invalid draft is reported by the caller and dropped. */
  onCommit(draft: string): void;
}

export function CommitInput({ value, onCommit, onKeyDown, onBlur, onFocus, ...rest }: CommitInputProps) {
  // null until the user types. Also kept in a ref: Enter and Escape blur the field in the same
  // event, before React re-renders, and that blur must see the draft as it is now.
  const [draft, setDraftState] = useState<string | null>(null);
  const current = useRef<string | null>(null);
  const setDraft = (next: string | null): void => {
    current.current = next;
    setDraftState(next);
  };
  const commit = (): void => {
    const typed = current.current;
    setDraft(null);
    if (typed !== null && typed !== value) onCommit(typed);
  };

  return (
    <input
      {...rest}
      value={draft ?? value}
      onFocus={(e) => {
        e.currentTarget.select();
        onFocus?.(e);
      }}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onBlur={(e) => {
        commit();
        onBlur?.(e);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          commit();
          e.currentTarget.blur();
        } else if (e.key === 'Escape') {
          setDraft(null);
          e.currentTarget.blur();
        }
        onKeyDown?.(e);
      }}
    />
  );
}
