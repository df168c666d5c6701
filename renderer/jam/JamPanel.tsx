/**
 * The side panel's "Jam" tab: the shared clock and transport, the bandmates with their measured
 * offset and round trip and a "live" light (with the latency of their last note), playing live
 * (musical typing, a MIDI keyboard) on a track, recording a take, the AI answering, latency
 * compensation, and the teacher's room rules (with, under 'own-track', whose each track is: the
 * owner gives a track to a bandmate picked by identity, so two invitees of the same name are two).
 */
import { useEffect, useMemo, useState } from 'react';
import type { JamPeer, RoomRules } from '../../core/jam/contract.ts';
import { setTrackOwner } from '../../core/song/edits.ts';
import type { PanelProps } from '../app/panel-props.ts';
import { useJam, useJamView } from './JamContext.tsx';
import { noteName } from './live-keys.ts';
import { QUANTIZE, type Quantize } from './recording.ts';
import { useMidiInput, useMusicalTyping } from './use-live-input.ts';
import { useAiAnswers } from './use-ai-answers.ts';

const LIVE_LIGHT_MS = 400;
/**
 * Who a track can be given to: the bandmates who may edit (viewers only listen), one entry per
 * identity (one person's tabs share it), labelled by name, with a few characters of the id where
 * two identities share a name (every invitee of one invite may be "Student").
 */
export function ownerChoices(peers: JamPeer[]): { id: string; name: string; label: string }[] {
  const byId = new Map<string, string>();
  for (const p of peers) if (p.role !== 'viewer' && !byId.has(p.id)) byId.set(p.id, p.name);
  const count = new Map<string, number>();
  for (const name of byId.values()) count.set(name, (count.get(name) ?? 0) + 1);
  return [...byId].map(([id, name]) => ({ id, name, label: (count.get(name) ?? 0) > 1 ? `${name} (${id.slice(0, 6)})` : name }));
}

const fmt = (ms: number | null | undefined, digits = 1): string =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? '–' : `${ms.toFixed(digits)} ms`;

export function JamPanel(props: PanelProps) {
  const { song, selectedClipId } = props;
  const jam = useJam();
  const view = useJamView(jam);
  const selectedTrack = useMemo(() => song.clips.find((c) => c.id === selectedClipId)?.trackId ?? null, [song.clips, selectedClipId]);
  const [chosenTrack, setChosenTrack] = useState<string | null>(null);
  const trackId =
    (chosenTrack && song.tracks.some((t) => t.id === chosenTrack) ? chosenTrack : null) ?? selectedTrack ?? song.tracks[0]?.id ?? null;
  const typingOn = !!view?.settings.typing;
  const typing = useMusicalTyping(jam, typingOn, trackId);
  const [midiDevice, setMidiDevice] = useState<string | null>(null);
  const midi = useMidiInput(jam, midiDevice, trackId);
  const ai = useAiAnswers(props, jam, view, trackId);
  // Re-render while a live light is lit, so it goes out.
  const [, setTick] = useState(0);
  const lit = view ? Object.values(view.liveBy).some((l) => l.held > 0 || performance.now() - l.lastAt < LIVE_LIGHT_MS) : false;
  useEffect(() => {
    if (!lit) return;
    const id = setInterval(() => setTick((t) => t + 1), 100);
    return () => clearInterval(id);
  }, [lit]);

  if (!jam || !view) {
    return (
      <div className="jam-panel" data-testid="jam-panel">
        <p className="muted">No jam channel in this window (the audio engine is off).</p>
      </div>
    );
  }
  const t = view.transport;
  const me = view.me;
  const isOwner = me?.role === 'owner';
  const viewer = me?.role === 'viewer' || props.session.readOnly;
  const rules = view.rules;
  const setRules = (patch: Partial<RoomRules>) => jam.setRules({ ...rules, ...patch });
  const rec = view.record;
  const trackName = (id: string | null) => song.tracks.find((tr) => tr.id === id)?.name ?? '–';
  const owners = ownerChoices(view.peers);
  const giveTrack = (trackId: string, ownerId: string) => {
    const owner = owners.find((o) => o.id === ownerId);
    if (ownerId && !owner) return; // someone no longer here: nothing to give
    props.edits.run(() => setTrackOwner(props.session.doc, trackId, owner ? { id: owner.id, name: owner.name } : null));
  };
  // Why this user cannot record into the chosen track (the rules), shown by the Record button.
  const recordRule = viewer ? null : jam.recordRefusal(trackId);

  return (
    <div className="jam-panel" data-testid="jam-panel" data-live={view.live ? 'yes' : 'no'}>
      <section className="jam-section">
        <div className="jam-header">
          <span className="gen-section-title">Shared clock</span>
          <span className="jam-status" data-testid="jam-status" data-status={view.live ? 'live' : view.status}>
            <span className="lamp" />
            {view.live
              ? 'in sync'
              : view.status === 'syncing'
                ? 'syncing the clock…'
                : view.status === 'closed'
                  ? 'offline: playing locally'
                  : 'connecting…'}
          </span>
        </div>
        {t ? (
          <p className="jam-line" data-testid="jam-transport">
            {t.playing ? 'playing' : 'stopped'} · {t.bpm} BPM · {t.meter.numerator}/{t.meter.denominator}
            {t.loop ? ` · loop ${t.loop.startBar + 1}–${t.loop.endBar}` : ' · no loop'}
            {t.changedBy && (
              <>
                {' '}
                · <span data-testid="jam-changed-by">changed by {t.changedBy}</span>
              </>
            )}
          </p>
        ) : (
          <p className="jam-line muted">Waiting for the room's transport…</p>
        )}
        {rules.transportLocked && (
          <p className="jam-line jam-lock" data-testid="jam-transport-locked">
            Transport locked by the room owner{isOwner ? ' (you)' : ''}
          </p>
        )}
        {view.message && (
          <p className="jam-line jam-message" data-testid="jam-message">
            {view.message}
          </p>
        )}
      </section>

      <section className="jam-section">
        <span className="gen-section-title">Bandmates</span>
        <table className="jam-peers" data-testid="jam-peers">
          <thead>
            <tr>
              <th>name</th>
              <th>role</th>
              <th title="Clock offset to the session host">offset</th>
              <th title="Round trip to the session host">round trip</th>
              <th>live</th>
            </tr>
          </thead>
          <tbody>
            {view.peers.map((p) => {
              const live = view.liveBy[p.clientId];
              const on = !!live && (live.held > 0 || performance.now() - live.lastAt < LIVE_LIGHT_MS);
              return (
                <tr
                  key={p.clientId}
                  data-testid="jam-peer"
                  data-name={p.name}
                  data-id={p.id}
                  data-you={p.clientId === me?.clientId ? 'yes' : 'no'}
                  data-live={on ? 'yes' : 'no'}
                >
                  <td>
                    {p.name}
                    {p.clientId === me?.clientId ? ' (you)' : ''}
                  </td>
                  <td>{p.role}</td>
                  <td>{fmt(p.offsetMs)}</td>
                  <td>{fmt(p.rttMs)}</td>
                  <td>
                    <span className={`jam-live${on ? ' on' : ''}`} title={live ? `last note ${noteName(live.pitch)}` : 'not playing'} />
                    {live?.latencyMs !== null && live?.latencyMs !== undefined && (
                      <span className="jam-latency" data-testid="jam-latency">
                        {fmt(live.latencyMs)}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section className="jam-section">
        <span className="gen-section-title">Play live</span>
        <label className="field">
          Track
          <select data-testid="jam-track" value={trackId ?? ''} onChange={(e) => setChosenTrack(e.target.value || null)}>
            {song.tracks.map((tr) => (
              <option key={tr.id} value={tr.id}>
                {tr.name}
              </option>
            ))}
          </select>
        </label>
        <div className="jam-row">
          <button
            type="button"
            className={typingOn ? 'active' : ''}
            data-testid="musical-typing"
            aria-pressed={typingOn}
            disabled={viewer}
            title="Play notes on the computer keyboard: A W S E D F T G Y H U J K, Z/X octave, C/V velocity (` toggles)"
            onClick={() => jam.setSettings({ typing: !typingOn })}
          >
            Musical typing {typingOn ? 'on' : 'off'}
          </button>
          {typingOn && (
            <span className="muted" data-testid="typing-octave">
              A = {noteName(typing.baseOctaveC)} · vel {typing.velocity}
            </span>
          )}
        </div>
        {typingOn && (
          <p className="jam-hint muted">A W S E D F T G Y H U J K play · Z/X octave · C/V velocity · ` off. Space still plays/stops.</p>
        )}
        {midi.available ? (
          <label className="field">
            MIDI in
            <select
              data-testid="jam-midi"
              value={midiDevice ?? 'off'}
              onChange={(e) => setMidiDevice(e.target.value === 'off' ? null : e.target.value)}
            >
              <option value="off">off</option>
              {midiDevice === '' && !midi.devices.length && <option value="">looking for devices…</option>}
              {midiDevice === null && <option value="">use a MIDI keyboard…</option>}
              {midi.devices.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="field">
            MIDI in
            <span className="muted">not offered by this browser</span>
          </span>
        )}
        {midi.problem && <p className="jam-hint jam-message">{midi.problem}</p>}
      </section>

      <section className="jam-section">
        <span className="gen-section-title">Record a take</span>
        <div className="jam-row">
          <button
            type="button"
            className={`jam-record${rec.phase !== 'off' ? ' active' : ''}`}
            data-testid="record"
            data-phase={rec.phase}
            aria-pressed={rec.phase !== 'off'}
            disabled={viewer || !view.live || (rec.phase === 'off' && recordRule !== null)}
            title={recordRule ?? "Record live notes into the track over the loop's next pass (from the next bar line without a loop)"}
            onClick={() => jam.toggleRecord(trackId, props.edits)}
          >
            ● {rec.phase === 'off' ? 'Record' : rec.phase === 'armed' ? 'Armed…' : 'Recording'}
          </button>
          <label className="field">
            Quantize
            <select
              data-testid="jam-quantize"
              value={view.settings.quantize}
              onChange={(e) => jam.setSettings({ quantize: e.target.value as Quantize })}
            >
              {QUANTIZE.map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
        </div>
        {rec.phase === 'off' && recordRule && (
          <p className="jam-line jam-message" data-testid="record-rule">
            {recordRule}
          </p>
        )}
        {rec.phase !== 'off' && (
          <p className="jam-line" data-testid="record-status">
            {rec.phase === 'armed' ? 'Counting in to' : 'Recording'} bars {rec.window.startBar + 1}–{rec.window.startBar + rec.window.bars}{' '}
            into {trackName(rec.trackId)} · {rec.notes.filter((n) => n.kind === 'on').length} notes
          </p>
        )}
      </section>

      <section className="jam-section">
        <span className="gen-section-title">AI answers</span>
        <div className="jam-row">
          <label className="field gen-check">
            <input
              type="checkbox"
              data-testid="ai-answers"
              checked={view.settings.aiAnswers}
              disabled={viewer || !view.live}
              onChange={(e) => jam.setSettings({ aiAnswers: e.target.checked })}
            />
            answer my last
          </label>
          <select
            data-testid="ai-bars"
            value={view.settings.aiBars}
            onChange={(e) => jam.setSettings({ aiBars: Number(e.target.value) as 1 | 2 | 4 })}
          >
            {[1, 2, 4].map((n) => (
              <option key={n} value={n}>
                {n} bar{n > 1 ? 's' : ''}
              </option>
            ))}
          </select>
        </div>
        {(ai.status || view.settings.aiAnswers) && (
          <p className="jam-line muted" data-testid="ai-status">
            {ai.status ?? 'Play a phrase: the AI answers in the bars after it.'}
          </p>
        )}
      </section>

      <section className="jam-section">
        <span className="gen-section-title">Latency</span>
        <label className="field" title="Positive: play earlier (slow speakers, Bluetooth); negative: later">
          Compensation
          <input
            type="number"
            data-testid="jam-compensation"
            step={1}
            min={-200}
            max={500}
            value={view.settings.compensationMs}
            onChange={(e) => jam.setSettings({ compensationMs: Number(e.target.value) || 0 })}
          />{' '}
          ms
        </label>
      </section>

      <section className="jam-section" data-testid="jam-rules">
        <span className="gen-section-title">Room rules {isOwner ? '(you are the owner)' : ''}</span>
        {isOwner ? (
          <>
            <label className="field gen-check">
              <input
                type="checkbox"
                data-testid="rule-lock"
                checked={rules.transportLocked}
                onChange={(e) => setRules({ transportLocked: e.target.checked })}
              />
              lock the transport
            </label>
            <label className="field">
              Students may
              <select
                data-testid="rule-students"
                value={rules.students}
                onChange={(e) => setRules({ students: e.target.value as RoomRules['students'] })}
              >
                <option value="edit">edit everything</option>
                <option value="own-track">edit their own track</option>
                <option value="live-only">play live only</option>
              </select>
            </label>
            <label className="field">
              Spotlight
              <select
                data-testid="rule-spotlight"
                value={rules.spotlightTrackId ?? ''}
                onChange={(e) => setRules({ spotlightTrackId: e.target.value || null })}
              >
                <option value="">none</option>
                {song.tracks.map((tr) => (
                  <option key={tr.id} value={tr.id}>
                    {tr.name}
                  </option>
                ))}
              </select>
            </label>
            {rules.students === 'own-track' && (
              <div className="jam-owners" data-testid="rule-owners">
                <span className="muted">Whose track (students edit only their own)</span>
                {song.tracks.map((tr) => (
                  <label key={tr.id} className="field">
                    {tr.name}
                    <select
                      data-testid="rule-owner"
                      data-track-id={tr.id}
                      value={tr.ownerId ?? ''}
                      onChange={(e) => giveTrack(tr.id, e.target.value)}
                    >
                      <option value="">nobody</option>
                      {owners.map((o) => (
                        <option key={o.id} value={o.id}>
                          {o.label}
                        </option>
                      ))}
                      {/* Its owner is not here now: still theirs until given again. */}
                      {tr.ownerId && !owners.some((o) => o.id === tr.ownerId) && (
                        <option value={tr.ownerId}>{tr.owner ?? 'someone'} (away)</option>
                      )}
                    </select>
                  </label>
                ))}
              </div>
            )}
          </>
        ) : (
          <p className="jam-line" data-testid="rules-summary">
            {rules.transportLocked ? 'Transport locked' : 'Anyone may start and stop'} ·{' '}
            {rules.students === 'edit'
              ? 'everyone may edit'
              : rules.students === 'own-track'
                ? 'you may edit your own track'
                : 'play live only (editing is off)'}
            {rules.spotlightTrackId ? ` · spotlight on ${trackName(rules.spotlightTrackId)}` : ''}
          </p>
        )}
      </section>
    </div>
  );
}
