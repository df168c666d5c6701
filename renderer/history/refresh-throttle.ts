/**
 * When the timeline asks the server for new entries. Document updates arrive in bursts (a drag
 * sends one per frame), so: the first update refreshes at once, later ones at most once per
 * `intervalMs` (the last of a burst is never dropped), and one more refresh `settleMs` after the
 * burst ends. That last one is for this user's own edits: the update reaches this document
 * before the server has logged it, so the refresh it triggers can come back without it.
 */

export interface RefreshThrottle {
  /** Something changed: refresh soon. */
  trigger(): void;
  /** Stops every pending refresh. */
  cancel(): void;
}

export function createRefreshThrottle(refresh: () => void, intervalMs: number, settleMs: number): RefreshThrottle {
  let cooling: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  let settle: ReturnType<typeof setTimeout> | undefined;

  const cool = (): void => {
    cooling = setTimeout(() => {
      cooling = undefined;
      if (!pending) return;
      pending = false;
      refresh();
      cool();
    }, intervalMs);
  };

  return {
    trigger() {
      clearTimeout(settle);
      settle = setTimeout(refresh, settleMs);
      if (cooling !== undefined) {
        pending = true;
        return;
      }
      refresh();
      cool();
    },
    cancel() {
      clearTimeout(cooling);
      clearTimeout(settle);
      cooling = undefined;
      settle = undefined;
      pending = false;
    },
  };
}
