/**
 * A track's MIDI out in its header, as a DAW's track I/O: a button that shows where the track's
 * notes go ("IAC 1 ch 10", "MIDI off"), with a light that blinks as the track sends notes, and a
 * menu to pick the port (or none), the channel and whether the page still sounds the track
 * ("also heard here" or "instead"). It edits the session's settings through
 * `MidiSession.changeRoute`, as the MIDI panel's routing table does: one route, shown the same
 * in both. Without ports in use yet it says so, and its menu asks for them as the panel does.
 *
 * Keyboard: Enter, Space or an arrow on the button opens the menu at the checked port; arrows move
 * through the items (Home, End), Enter or Space picks one (the menu stays open for the next
 * choice), Escape closes it back to the button, Tab leaves it. Every key it takes is kept from
 * the window's shortcuts (Space would play).
 */
import { type KeyboardEvent, memo, type ReactNode, useCallback, useEffect, useId, useReducer, useRef, useState } from 'react';
import type { Track } from '../../core/song/types.ts';
import { usePointerOutside } from '../app/use-pointer-outside.ts';
import { openMidiPorts } from './connect.ts';
import { useMidi, useMidiView } from './MidiContext.tsx';
import type { TrackRoute } from './midi-settings.ts';
import { LIGHT_MS, lit, routeLabel } from './track-route.ts';

const CHANNELS = Array.from({ length: 16 }, (_, i) => i);
/** About the menu's height with a few ports: with less room below its button, it may open upwards. */
const MENU_PX = 280;

/** Whether the light last lit at `at` is on, re-rendering when it goes out. */
function useLight(at: number | undefined): boolean {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const on = lit(at, performance.now());
  useEffect(() => {
    if (!on || at === undefined) return;
    const id = setTimeout(rerender, Math.max(0, at + LIGHT_MS - performance.now()) + 1);
    return () => clearTimeout(id);
  }, [on, at]);
  return on;
}

/**
 * Whether a menu hung below `el` would run past the bottom of the area that scrolls it (the
 * arrangement: the editor sits below it) while there is more room above.
 */
function opensUpwards(el: HTMLElement): boolean {
  let scroller = el.parentElement;
  while (scroller && !/(auto|scroll)/.test(getComputedStyle(scroller).overflowY)) scroller = scroller.parentElement;
  const area = scroller?.getBoundingClientRect() ?? { top: 0, bottom: window.innerHeight };
  const box = el.getBoundingClientRect();
  const below = area.bottom - box.bottom;
  return below < MENU_PX && box.top - area.top > below;
}

const items = (menu: HTMLElement | null): HTMLElement[] =>
  menu ? [...menu.querySelectorAll<HTMLElement>('[role^="menuitem"]:not(:disabled)')] : [];

export const TrackMidiRoute = memo(function TrackMidiRoute({ track }: { track: Pick<Track, 'id' | 'name'> }) {
  const midi = useMidi();
  const view = useMidiView(midi);
  const [open, setOpen] = useState(false);
  const [upwards, setUpwards] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const on = useLight(view?.trackActivity[track.id]);
  const status = view?.status;

  // A click anywhere else closes the menu.
  const closeMenu = useCallback(() => setOpen(false), []);
  usePointerOutside(open, wrap, closeMenu);

  // Opened (or its items changed under it, as when the ports arrive): focus on the checked port.
  // biome-ignore lint/correctness/useExhaustiveDependencies: status is the trigger: the items it brings are read from the DOM
  useEffect(() => {
    if (!open || menu.current?.contains(document.activeElement)) return;
    const list = items(menu.current);
    (list.find((el) => el.getAttribute('aria-checked') === 'true') ?? list[0] ?? menu.current)?.focus();
  }, [open, status]);

  if (!midi || !view) return null;
  const route = view.settings.routes[track.id];
  const label = routeLabel(view, route, track.name);
  const change = (patch: Partial<TrackRoute>): void => midi.changeRoute(track.id, patch);

  const show = (next: boolean): void => {
    if (next && button.current) setUpwards(opensUpwards(button.current));
    setOpen(next);
  };
  const close = (): void => {
    setOpen(false);
    button.current?.focus();
  };

  const onButtonKey = (e: KeyboardEvent): void => {
    if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      show(!open || e.key.startsWith('Arrow'));
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      setOpen(false);
    }
  };

  const onMenuKey = (e: KeyboardEvent): void => {
    const list = items(menu.current);
    const at = list.indexOf(document.activeElement as HTMLElement);
    const move = (to: number): void => list[(to + list.length) % list.length]?.focus();
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') move(at + 1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') move(at < 0 ? -1 : at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(-1);
    else if (e.key === 'Escape') close();
    else if (e.key === 'Enter' || e.key === ' ') (document.activeElement as HTMLElement | null)?.click();
    else if (e.key === 'Tab') return setOpen(false);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const outputs = [...view.outputs];
  if (route && !outputs.some((p) => p.id === route.portId)) outputs.push({ id: route.portId, name: route.portId, connected: false });

  return (
    <div className="track-midi" ref={wrap}>
      <button
        type="button"
        ref={button}
        className={`track-midi-button ${label.state}${route?.mode === 'instead' ? ' instead' : ''}`}
        data-testid="track-midi"
        data-state={label.state}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={label.description}
        title={`${label.description}. Click to change.`}
        onClick={() => show(!open)}
        onKeyDown={onButtonKey}
      >
        <span className={`track-midi-light${on ? ' on' : ''}`} data-testid="track-midi-light" data-on={on ? 'yes' : 'no'} />
        <span className="track-midi-port">{label.text}</span>
        {label.channel && <span className="track-midi-channel">{label.channel}</span>}
      </button>
      {open && (
        <div
          id={menuId}
          ref={menu}
          role="menu"
          tabIndex={-1}
          aria-label={`${track.name}: MIDI out`}
          className={`track-midi-menu${upwards ? ' upwards' : ''}`}
          data-testid="track-midi-menu"
          onKeyDown={onMenuKey}
        >
          {view.status !== 'ready' ? (
            <>
              <p className="track-midi-note" id={`${menuId}-why`}>
                {view.status === 'problem' && view.problem
                  ? view.problem
                  : "Send this track's notes to your DAW or synths (the browser may ask)."}
              </p>
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                data-testid="track-midi-enable"
                aria-describedby={`${menuId}-why`}
                disabled={view.status === 'asking'}
                onClick={() => void openMidiPorts(midi)}
              >
                {view.status === 'asking' ? 'Asking for MIDI…' : 'Use MIDI ports'}
              </button>
            </>
          ) : (
            <>
              <div role="group" aria-label="Port" className="track-midi-group">
                <span className="track-midi-heading" aria-hidden="true">
                  Port
                </span>
                <MenuRadio
                  testId="track-midi-port"
                  data={{ 'data-id': '' }}
                  checked={!route}
                  onPick={() => midi.changeRoute(track.id, null)}
                >
                  Not sent
                </MenuRadio>
                {outputs.map((p) => (
                  <MenuRadio
                    key={p.id}
                    testId="track-midi-port"
                    data={{ 'data-id': p.id }}
                    checked={route?.portId === p.id}
                    onPick={() => change({ portId: p.id })}
                  >
                    {p.name}
                    {p.connected ? '' : ' (not connected)'}
                  </MenuRadio>
                ))}
                {view.outputs.length === 0 && (
                  <p className="track-midi-note">No MIDI outputs: the README says how to make a virtual port.</p>
                )}
              </div>
              <div role="group" aria-label="Channel" className="track-midi-group">
                <span className="track-midi-heading" aria-hidden="true">
                  Channel
                </span>
                <div className="track-midi-channels">
                  {CHANNELS.map((c) => (
                    <MenuRadio
                      key={c}
                      testId="track-midi-channel"
                      data={{ 'data-channel': String(c + 1) }}
                      label={`Channel ${c + 1}`}
                      checked={route?.channel === c}
                      disabled={!route}
                      onPick={() => change({ channel: c })}
                    >
                      {c + 1}
                    </MenuRadio>
                  ))}
                </div>
              </div>
              <div role="group" aria-label="Sound here" className="track-midi-group">
                <MenuRadio
                  testId="track-midi-mode"
                  data={{ 'data-mode': 'also' }}
                  checked={route?.mode === 'also'}
                  disabled={!route}
                  onPick={() => change({ mode: 'also' })}
                >
                  Also heard here
                </MenuRadio>
                <MenuRadio
                  testId="track-midi-mode"
                  data={{ 'data-mode': 'instead' }}
                  checked={route?.mode === 'instead'}
                  disabled={!route}
                  onPick={() => change({ mode: 'instead' })}
                >
                  Instead of the sound here
                </MenuRadio>
              </div>
            </>
          )}
        </div>
      )}
    </div>
  );
});

/** One choice of the menu: a radio item (the group it is in says of what). */
function MenuRadio(props: {
  testId: string;
  data: Record<string, string>;
  checked: boolean;
  disabled?: boolean;
  /** The accessible name, where the visible text is too short to say it ("10"). */
  label?: string;
  onPick(): void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      role="menuitemradio"
      tabIndex={-1}
      aria-checked={props.checked}
      aria-label={props.label}
      disabled={props.disabled}
      data-testid={props.testId}
      {...props.data}
      className={props.checked ? 'checked' : undefined}
      onClick={props.onPick}
    >
      {props.children}
    </button>
  );
}
