/**
 * The side panel's "MIDI" tab: this machine's MIDI ports with their latency and activity lights,
 * each track's route (port, channel, and whether the page still sounds it), where bandmates' live
 * notes go, the room's clock out, and — for the room's owner — an external clock driving the
 * room. Everything here is this user's own (midi-settings.ts), not the shared song's.
 */
import { useEffect, useState } from 'react';
import type { PanelProps } from '../app/panel-props.ts';
import { useJam, useJamView } from '../jam/JamContext.tsx';
import { openMidiPorts } from './connect.ts';
import { useMidi, useMidiView } from './MidiContext.tsx';
import type { TrackRoute } from './midi-settings.ts';
import { LIGHT_MS } from './track-route.ts';

const CHANNELS = Array.from({ length: 16 }, (_, i) => i);

export function MidiPanel({ song }: PanelProps) {
  const midi = useMidi();
  const view = useMidiView(midi);
  const jam = useJam();
  const jamView = useJamView(jam);
  // Re-render while a light is lit, so it goes out.
  const [, setTick] = useState(0);
  const lit = view ? Object.values(view.activity).some((at) => performance.now() - at < LIGHT_MS) : false;
  useEffect(() => {
    if (!lit) return;
    const id = setInterval(() => setTick((t) => t + 1), 100);
    return () => clearInterval(id);
  }, [lit]);

  if (!midi || !view) {
    return (
      <div className="jam-panel" data-testid="midi-panel">
        <p className="muted">No MIDI in this window (the audio engine is off).</p>
      </div>
    );
  }
  if (view.status !== 'ready') {
    return (
      <div className="jam-panel" data-testid="midi-panel" data-status={view.status}>
        <p className="jam-line">
          Send tracks, bandmates' notes and the room's clock to your DAW or synths, or let your DAW's clock drive the room.
        </p>
        <button type="button" data-testid="midi-enable" disabled={view.status === 'asking'} onClick={() => void openMidiPorts(midi)}>
          {view.status === 'asking' ? 'Asking for MIDI…' : 'Use MIDI ports'}
        </button>
        {view.problem && (
          <p className="jam-line jam-message" data-testid="midi-problem">
            {view.problem}
          </p>
        )}
      </div>
    );
  }
  const { settings, outputs, inputs } = view;
  const on = (id: string) => performance.now() - (view.activity[id] ?? -Infinity) < LIGHT_MS;
  const portName = (id: string) => outputs.find((p) => p.id === id)?.name ?? `${id} (not here)`;
  // The same change the track header's MIDI button makes (track-route.ts changedRoute).
  const setRoute = (trackId: string, patch: Partial<TrackRoute>) => midi.changeRoute(trackId, patch);
  const isOwner = jamView?.me?.role === 'owner';

  return (
    <div className="jam-panel" data-testid="midi-panel" data-status="ready">
      <section className="jam-section">
        <span className="gen-section-title">Outputs</span>
        {outputs.length === 0 && (
          <p className="jam-line muted">No MIDI outputs. See the README for a virtual port (IAC, loopMIDI, ALSA virmidi).</p>
        )}
        {outputs.map((p) => (
          <div className="jam-row" key={p.id} data-testid="midi-output" data-id={p.id} data-connected={p.connected ? 'yes' : 'no'}>
            <span className={`jam-live${on(p.id) ? ' on' : ''}`} data-testid="midi-activity" data-on={on(p.id) ? 'yes' : 'no'} />
            <span>
              {p.name}
              {p.connected ? '' : ' (disconnected)'}
            </span>
            <label className="field" title="The port's own latency: its messages go this much earlier (negative: later)">
              latency
              <input
                type="number"
                step={0.5}
                data-testid="midi-latency"
                value={settings.latencyMs[p.id] ?? 0}
                onChange={(e) => midi.setLatency(p.id, Number(e.target.value))}
              />
              ms
            </label>
          </div>
        ))}
      </section>

      <section className="jam-section">
        <span className="gen-section-title">Tracks to MIDI</span>
        <div className="jam-owners">
          {song.tracks.map((t) => {
            const route = settings.routes[t.id];
            return (
              <div className="jam-row" key={t.id} data-testid="midi-route" data-track={t.id}>
                <span className="midi-track-name">{t.name}</span>
                <select
                  data-testid="midi-route-port"
                  aria-label={`${t.name}: MIDI port`}
                  value={route?.portId ?? ''}
                  onChange={(e) => setRoute(t.id, { portId: e.target.value })}
                >
                  <option value="">not sent</option>
                  {outputs.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                  {route && !outputs.some((p) => p.id === route.portId) && <option value={route.portId}>{portName(route.portId)}</option>}
                </select>
                <select
                  data-testid="midi-route-channel"
                  aria-label={`${t.name}: MIDI channel`}
                  disabled={!route}
                  value={route?.channel ?? 0}
                  onChange={(e) => setRoute(t.id, { channel: Number(e.target.value) })}
                >
                  {CHANNELS.map((c) => (
                    <option key={c} value={c}>
                      ch {c + 1}
                    </option>
                  ))}
                </select>
                <select
                  data-testid="midi-route-mode"
                  aria-label={`${t.name}: also heard here or instead`}
                  disabled={!route}
                  value={route?.mode ?? 'also'}
                  onChange={(e) => setRoute(t.id, { mode: e.target.value === 'instead' ? 'instead' : 'also' })}
                >
                  <option value="also">also here</option>
                  <option value="instead">instead</option>
                </select>
              </div>
            );
          })}
        </div>
        <label className="field" title="Bandmates' live notes on tracks not sent elsewhere">
          Bandmates' live notes
          <select
            data-testid="midi-live-port"
            value={settings.live?.portId ?? ''}
            onChange={(e) =>
              midi.update({ live: e.target.value ? { portId: e.target.value, channel: settings.live?.channel ?? 0 } : null })
            }
          >
            <option value="">not sent</option>
            {outputs.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <select
            data-testid="midi-live-channel"
            disabled={!settings.live}
            value={settings.live?.channel ?? 0}
            onChange={(e) => settings.live && midi.update({ live: { ...settings.live, channel: Number(e.target.value) } })}
          >
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                ch {c + 1}
              </option>
            ))}
          </select>
        </label>
      </section>

      <section className="jam-section">
        <span className="gen-section-title">Clock</span>
        <label className="field" title="24 clocks a quarter, Start/Continue/Stop and Song Position, following the room's transport">
          Clock out
          <select
            data-testid="midi-clock-out"
            value={settings.clockOut ?? ''}
            onChange={(e) => midi.update({ clockOut: e.target.value || null })}
          >
            <option value="">off</option>
            {outputs.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        {isOwner ? (
          <label className="field" title="Your DAW's clock drives the room's tempo, start, stop and position, for everyone">
            Clock in (drives the room)
            <select
              data-testid="midi-clock-in"
              value={settings.clockIn ?? ''}
              onChange={(e) => midi.update({ clockIn: e.target.value || null })}
            >
              <option value="">off</option>
              {inputs.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            {settings.clockIn && (
              <span className="muted" data-testid="midi-clock-in-bpm">
                {view.clockInBpm === null ? 'waiting for clock…' : `${view.clockInBpm.toFixed(1)} BPM`}
              </span>
            )}
          </label>
        ) : (
          <p className="jam-hint muted">Only the room's owner can let an external clock drive the room.</p>
        )}
      </section>
    </div>
  );
}
