/** The panel's icons, drawn in SVG: emoji need a font that machines (and CI browsers) may lack. */
const common = { width: 13, height: 13, viewBox: '0 0 16 16' } as const;

export const DiceIcon = () => (
  <svg {...common} aria-hidden="true" fill="currentColor">
    <path d="M3.5 1.5h9a2 2 0 012 2v9a2 2 0 01-2 2h-9a2 2 0 01-2-2v-9a2 2 0 012-2zm0 1.3a.7.7 0 00-.7.7v9c0 .39.31.7.7.7h9a.7.7 0 00.7-.7v-9a.7.7 0 00-.7-.7z" />
    <circle cx="5.2" cy="5.2" r="1.2" />
    <circle cx="10.8" cy="5.2" r="1.2" />
    <circle cx="8" cy="8" r="1.2" />
    <circle cx="5.2" cy="10.8" r="1.2" />
    <circle cx="10.8" cy="10.8" r="1.2" />
  </svg>
);

export const LockIcon = () => (
  <svg {...common} aria-hidden="true" fill="currentColor">
    <path d="M5 7V5a3 3 0 016 0v2h.5A1.5 1.5 0 0113 8.5v5a1.5 1.5 0 01-1.5 1.5h-7A1.5 1.5 0 013 13.5v-5A1.5 1.5 0 014.5 7zm1.4 0h3.2V5a1.6 1.6 0 00-3.2 0z" />
  </svg>
);
