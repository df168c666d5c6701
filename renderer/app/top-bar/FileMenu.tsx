/** The File menu: a button and a list of actions (renderer/files/FileActions.tsx supplies them). */
import { useCallback, useRef, useState } from 'react';
import { usePointerOutside } from '../use-pointer-outside.ts';

export interface FileMenuItem {
  /** data-testid of the item. */
  id: string;
  label: string;
  disabled?: boolean;
  /** Why it is disabled, or what it does (the item's tooltip). */
  title?: string;
  run(): void;
}

export function FileMenu({ items }: { items: FileMenuItem[] }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const closeMenu = useCallback(() => setOpen(false), []);
  usePointerOutside(open, ref, closeMenu);
  return (
    <div className="menu" ref={ref}>
      <button type="button" data-testid="file-menu" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        File ▾
      </button>
      {open && (
        <div className="menu-list" role="menu" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          {items.map((item, i) => (
            <button
              type="button"
              key={item.id}
              role="menuitem"
              data-testid={item.id}
              autoFocus={i === 0}
              disabled={item.disabled}
              title={item.title}
              onClick={() => {
                setOpen(false);
                item.run();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
