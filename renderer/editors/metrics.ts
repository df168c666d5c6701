/** Sizes of the editors' parts, in pixels (the stylesheet reads them through inline styles). */
export const PIANO_ROW_PX = 12;
export const DRUM_ROW_PX = 22;
export const PIANO_KEYS_PX = 56;
export const DRUM_LABELS_PX = 108;
/** Bar numbers above, chord symbols below. */
export const RULER_PX = 36;
export const VELOCITY_LANE_PX = 56;
/** Grid steps closer than this are not drawn (zoomed far out). */
export const MIN_STEP_PX = 5;
