/** The File menu: export the song as MIDI, import a MIDI file. */
import { useEffect, useRef, useState } from 'react';

export function FileMenu({ readOnly, onExport, onImport }: { readOnly: boolean; onExport(): void; onImport(): void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: PointerEvent): void => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', close);
    return () => window.removeEventListener('pointerdown', close);
  }, [open]);
  const choose = (action: () => void) => () => {
    setOpen(false);
    action();
  };
  return (
    <div className="menu" ref={ref}>
      <button aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>File ▾</button>
      {open && (
        <div className="menu-list" role="menu" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <button role="menuitem" autoFocus onClick={choose(onExport)}>Export MIDI…</button>
          <button role="menuitem" disabled={readOnly} onClick={choose(onImport)}>Import MIDI…</button>
        </div>
      )}
    </div>
  );
}
