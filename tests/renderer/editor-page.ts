/**
 * Reading and driving the clip editor in a page the way a user does: notes read from the screen
 * (each note carries its values as data attributes), pointer gestures at the pixel of a tick and
 * a pitch, measured from the grid the editor draws. Shared by the editor and file tests.
 */
import type { Page } from 'playwright-core';

export interface NoteView {
  id: string;
  pitch: number;
  tick: number;
  duration: number;
  velocity: number;
  selected: boolean;
  locked: boolean;
}

/** The notes the editor shows, in screen order (by tick, then pitch). */
export function editorNotes(page: Page): Promise<NoteView[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="clip-editor"] [data-testid="note"]')]
      .map((el) => ({
        id: el.dataset.noteId!,
        pitch: Number(el.dataset.pitch),
        tick: Number(el.dataset.tick),
        duration: Number(el.dataset.duration),
        velocity: Number(el.dataset.velocity),
        selected: el.dataset.selected === 'true',
        locked: el.dataset.locked === 'true',
      }))
      .sort((a: NoteView, b: NoteView) => a.tick - b.tick || a.pitch - b.pitch),
  );
}

/** Notes as comparable `pitch@tick+duration` strings. */
export async function noteKeys(page: Page): Promise<string[]> {
  return (await editorNotes(page)).map((n) => `${n.pitch}@${n.tick}+${n.duration}`);
}

export interface GridGeometry {
  left: number;
  top: number;
  tickPx: number;
  rowPx: number;
  step: number;
  clipTicks: number;
  kind: 'piano' | 'drums';
}

export function gridGeometry(page: Page): Promise<GridGeometry> {
  return page.evaluate(() => {
    const d = document;
    const g = d.querySelector<HTMLElement>('[data-testid="note-grid"]')!;
    const r = g.getBoundingClientRect();
    return {
      left: r.left,
      top: r.top,
      tickPx: Number(g.dataset.tickPx),
      rowPx: Number(g.dataset.rowPx),
      step: Number(g.dataset.step),
      clipTicks: Number(g.dataset.clipTicks),
      kind: d.querySelector<HTMLElement>('[data-testid="clip-editor"]')!.dataset.kind as GridGeometry['kind'],
    };
  });
}

/** Scrolls the piano roll so that `pitch` is in the middle of the view. */
export async function showPitch(page: Page, pitch: number): Promise<void> {
  await page.evaluate(
    (p) => document.querySelector<HTMLElement>(`[data-testid="piano-key"][data-pitch="${p}"]`)?.scrollIntoView({ block: 'center' }),
    pitch,
  );
}

/** Page coordinates of a tick (plus `dx` pixels) in the row of `pitch`. */
export async function pointAt(page: Page, tick: number, pitch: number, dx = 2): Promise<{ x: number; y: number }> {
  const g = await gridGeometry(page);
  const x = g.left + tick * g.tickPx + dx;
  if (g.kind === 'drums') {
    const row = (await page.locator(`[data-testid="drum-row"][data-pitch="${pitch}"]`).boundingBox())!;
    return { x, y: row.y + row.height / 2 };
  }
  return { x, y: g.top + (127 - pitch) * g.rowPx + g.rowPx / 2 };
}

export async function clickAt(page: Page, tick: number, pitch: number, options: { shift?: boolean; dx?: number } = {}): Promise<void> {
  const { x, y } = await pointAt(page, tick, pitch, options.dx);
  if (options.shift) await page.keyboard.down('Shift');
  await page.mouse.click(x, y);
  if (options.shift) await page.keyboard.up('Shift');
}

/** Presses at (x, y), moves in steps to (x + dx, y + dy), releases. */
export async function dragBy(
  page: Page,
  from: { x: number; y: number },
  dx: number,
  dy: number,
  options: { shift?: boolean } = {},
): Promise<void> {
  if (options.shift) await page.keyboard.down('Shift');
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dx / 2, from.y + dy / 2, { steps: 3 });
  await page.mouse.move(from.x + dx, from.y + dy, { steps: 3 });
  await page.mouse.up();
  if (options.shift) await page.keyboard.up('Shift');
}

/** The middle of a note's rectangle, or its right edge (`at: 'end'`), in page coordinates. */
export async function notePoint(page: Page, noteId: string, at: 'body' | 'end' = 'body'): Promise<{ x: number; y: number }> {
  const box = (await page.locator(`[data-testid="clip-editor"] [data-testid="note"][data-note-id="${noteId}"]`).boundingBox())!;
  return { x: at === 'end' ? box.x + box.width - 2 : box.x + Math.min(6, box.width / 3), y: box.y + box.height / 2 };
}

/** The label the undo button offers ("moved 3 notes"). */
export async function undoLabel(page: Page): Promise<string> {
  return ((await page.locator('[data-testid="undo"]').getAttribute('title')) ?? '').replace(/^Undo /, '').replace(/ \(Mod\+Z\)$/, '');
}

/**
 * Waits until the undo button offers `label` (the button re-renders on the frame after the edit),
 * and fails with what it offers instead.
 */
export async function undoOffers(page: Page, label: string, timeout = 5000): Promise<void> {
  const title = `Undo ${label} (Mod+Z)`;
  try {
    await page.waitForFunction((t) => document.querySelector<HTMLElement>('[data-testid="undo"]')?.title === t, title, {
      timeout,
      polling: 'raf',
    });
  } catch {
    throw new Error(`the undo button offers "${await undoLabel(page)}", not "${label}"`);
  }
}
