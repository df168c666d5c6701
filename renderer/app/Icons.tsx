/** Small line icons drawn in SVG, so they look the same whatever fonts the machine has. */
import type { SVGProps } from 'react';

function Icon({ children, ...rest }: SVGProps<SVGSVGElement>) {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true" {...rest}>
      {children}
    </svg>
  );
}

export const PlayIcon = () => (
  <Icon>
    <path d="M4 2.5v11l9-5.5z" />
  </Icon>
);
export const StopIcon = () => (
  <Icon>
    <rect x="3.5" y="3.5" width="9" height="9" rx="1" />
  </Icon>
);
export const ToStartIcon = () => (
  <Icon>
    <path d="M3 3h2v10H3zM13 3v10L6 8z" />
  </Icon>
);
export const MetronomeIcon = () => (
  <Icon>
    <path d="M6 1.5h4l3 13H3zM7 3l-2.2 9.5h6.4L9 3z" fillRule="evenodd" />
    <path d="M8 10.5l4.5-6 .8.6-4.5 6z" />
  </Icon>
);
export const UndoIcon = () => (
  <Icon fill="none" stroke="currentColor" strokeWidth="1.6">
    <path d="M5.5 4L2.5 7l3 3" />
    <path d="M3 7h6.5a3.5 3.5 0 010 7H7" />
  </Icon>
);
export const RedoIcon = () => (
  <Icon fill="none" stroke="currentColor" strokeWidth="1.6">
    <path d="M10.5 4l3 3-3 3" />
    <path d="M13 7H6.5a3.5 3.5 0 000 7H9" />
  </Icon>
);
