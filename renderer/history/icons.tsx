/** The history panel's few icons, in SVG like app/Icons.tsx (symbol fonts differ between machines). */
import type { SVGProps } from 'react';

function Icon({ children, ...rest }: SVGProps<SVGSVGElement>) {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true" {...rest}>
      {children}
    </svg>
  );
}

export const StepBackIcon = () => (
  <Icon>
    <path d="M3 3h2v10H3zM13 3v10L6 8z" />
  </Icon>
);
export const StepForwardIcon = () => (
  <Icon>
    <path d="M11 3h2v10h-2zM3 3v10l7-5z" />
  </Icon>
);
export const PauseIcon = () => (
  <Icon>
    <path d="M4 3h3v10H4zM9 3h3v10H9z" />
  </Icon>
);
export const FlagIcon = () => (
  <Icon>
    <path d="M3 1.5h1.5v13H3zM5.5 2h8l-2 3.5 2 3.5h-8z" />
  </Icon>
);
export const ChevronIcon = ({ open }: { open: boolean }) => (
  <Icon style={{ transform: open ? 'rotate(90deg)' : undefined, transition: 'transform 0.1s' }}>
    <path d="M6 3.5l5 4.5-5 4.5z" />
  </Icon>
);
