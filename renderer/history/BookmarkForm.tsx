/**
 * "Name this moment": adds a bookmark at the moment shown (a past one, the replay's step, or now)
 * for everyone. Viewers cannot (the server refuses their writes), and are told so.
 */
import { useState } from 'react';
import { FlagIcon } from './icons.tsx';

interface BookmarkFormProps {
  /** The moment a bookmark would name; 0 when nothing was logged yet. */
  seq: number;
  /** Null when this user may add bookmarks; else why not. */
  refusal: string | null;
  onAdd(seq: number, name: string): Promise<boolean>;
}

const MAX_NAME = 100;

export function BookmarkForm({ seq, refusal, onAdd }: BookmarkFormProps) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const disabled = refusal !== null || seq === 0;
  return (
    <form
      className="bookmark-form"
      data-testid="bookmark-form"
      title={refusal ?? undefined}
      onSubmit={(e) => {
        e.preventDefault();
        const trimmed = name.trim();
        if (!trimmed || disabled || busy) return;
        setBusy(true);
        void onAdd(seq, trimmed).then((ok) => {
          setBusy(false);
          if (ok) setName('');
        });
      }}
    >
      <input
        data-testid="bookmark-name"
        placeholder={refusal ? 'Viewers cannot name moments' : seq ? `Name moment #${seq}…` : 'Nothing to name yet'}
        aria-label={`Name moment #${seq}`}
        maxLength={MAX_NAME}
        value={name}
        disabled={disabled}
        onChange={(e) => setName(e.currentTarget.value)}
      />
      <button type="submit" data-testid="bookmark-add" disabled={disabled || busy || !name.trim()}>
        <FlagIcon /> Name
      </button>
    </form>
  );
}
