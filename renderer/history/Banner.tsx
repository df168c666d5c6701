/**
 * The banner above the arrangement while the history panel shows the past: "Viewing #412 · alice
 * · moved 3 notes — Play · Restore · Take back [the AI's edits since #412] · Back to now", or, during a replay, its controls (play/pause,
 * step, speed, scrub). The app draws it (app/read-only-song.ts); its props come from the panel
 * through a LatestValue, so it always shows the panel's current state.
 */
import { useState, useSyncExternalStore } from 'react';
import type { HistoryEntry } from '../../sync-server/contract.ts';
import type { Transport } from '../audio/transport.ts';
import { PlayIcon, StopIcon } from '../app/Icons.tsx';
import { useTransportState } from '../state/hooks.ts';
import { formatDuration, formatTime } from './format.ts';
import { PauseIcon, StepBackIcon, StepForwardIcon } from './icons.tsx';
import type { LatestValue } from './latest-value.ts';
import type { TakeBackChoice } from './take-back-choices.ts';
import { MAX_PAUSE_MS, REPLAY_SPEEDS, type ReplaySpeed } from './replay-timing.ts';

interface Common {
  transport: Transport | null;
  /** The shown song's title and tempo (the top bar shows the live song's). */
  facts: string;
  /** Null when this user may restore; else why not (viewers). */
  restoreRefusal: string | null;
  restoring: boolean;
  onRestore(seq: number): void;
  onBack(): void;
}

/** Taking back one source's edits from the moment shown (take-back-choices.ts). */
export interface TakeBackProps {
  choices: readonly TakeBackChoice[];
  /** Null when this user may take back; else why not (viewers, students in teacher mode). */
  refusal: string | null;
  busy: boolean;
  onTakeBack(choice: TakeBackChoice): void;
}

export interface PastBannerProps extends Common {
  kind: 'past';
  /** The moment shown. */
  seq: number;
  entry: HistoryEntry | undefined;
  /** Another moment being fetched (the arrangement still shows `seq`). */
  loadingSeq: number | null;
  error: string | null;
  takeBack: TakeBackProps;
}

export interface ReplayBannerProps extends Common {
  kind: 'replay';
  step: number;
  steps: number;
  entry: HistoryEntry | null;
  playing: boolean;
  speed: ReplaySpeed;
  duration: number;
  onPlay(): void;
  onPause(): void;
  onSpeed(speed: ReplaySpeed): void;
  onSeek(step: number): void;
}

export type BannerProps = PastBannerProps | ReplayBannerProps;

function Caption({ entry }: { entry: HistoryEntry | null | undefined }) {
  if (!entry) return null;
  return (
    <span className="caption">
      <span className="author">{entry.author}</span> · <span className="label">{entry.label}</span> ·{' '}
      <span className="time">{formatTime(entry.time)}</span>
    </span>
  );
}

function ListenButton({ transport }: { transport: Transport }) {
  const { playing } = useTransportState(transport);
  return (
    <button
      type="button"
      className={playing ? 'active' : ''}
      data-testid="past-play"
      aria-pressed={playing}
      title={playing ? 'Stop (Space)' : 'Hear the song as it was (Space)'}
      onClick={() => (playing ? transport.stop() : void transport.play())}
    >
      {playing ? (
        <>
          <StopIcon /> Stop
        </>
      ) : (
        <>
          <PlayIcon /> Listen
        </>
      )}
    </button>
  );
}

function RestoreButton({ seq, props }: { seq: number; props: Common }) {
  return (
    <button
      type="button"
      data-testid="restore"
      disabled={props.restoreRefusal !== null || props.restoring}
      title={
        props.restoreRefusal ??
        `Bring the song back to how it was after #${seq}, for everyone (as a new edit, which can itself be undone from here)`
      }
      onClick={() => props.onRestore(seq)}
    >
      {props.restoring ? 'Restoring…' : 'Restore'}
    </button>
  );
}

/** "Take back [the AI's 3 edits since #12 ▾] [Take back]": one forward edit for everyone. */
function TakeBackControl({ seq, props }: { seq: number; props: TakeBackProps }) {
  const [key, setKey] = useState<string>('');
  const chosen = props.choices.find((c) => c.key === key) ?? props.choices[0];
  if (props.choices.length === 0) return null;
  const why =
    props.refusal ??
    `Take back ${chosen?.label ?? ''} for everyone, keeping everyone else's edits (as a new edit, which can itself be taken back)`;
  return (
    <span className="take-back" data-testid="take-back-control" data-seq={seq}>
      <select
        data-testid="take-back-source"
        aria-label="What to take back"
        value={chosen?.key ?? ''}
        disabled={props.refusal !== null || props.busy}
        title={why}
        onChange={(e) => setKey(e.currentTarget.value)}
      >
        {props.choices.map((c) => (
          <option key={c.key} value={c.key}>
            {c.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        data-testid="take-back"
        disabled={props.refusal !== null || props.busy || !chosen}
        title={why}
        onClick={() => chosen && props.onTakeBack(chosen)}
      >
        {props.busy ? 'Taking back…' : 'Take back'}
      </button>
    </span>
  );
}

function PastBanner(props: PastBannerProps) {
  const status = props.error ? 'error' : props.loadingSeq !== null ? 'loading' : 'ready';
  return (
    <div
      className="history-banner past"
      data-testid="past-banner"
      data-seq={props.seq}
      data-status={status}
      role="region"
      aria-label="Past moment"
    >
      <strong>Viewing #{props.seq}</strong>
      <Caption entry={props.entry} />
      <span className="facts">{props.facts}</span>
      <span className="read-only-tag">read-only</span>
      {props.loadingSeq !== null && <span className="muted">loading #{props.loadingSeq}…</span>}
      {props.error && <span className="error">{props.error}</span>}
      <span className="spacer" />
      {props.transport && <ListenButton transport={props.transport} />}
      <RestoreButton seq={props.seq} props={props} />
      <TakeBackControl seq={props.seq} props={props.takeBack} />
      <button type="button" className="primary" data-testid="back-to-now" onClick={props.onBack}>
        Back to now
      </button>
    </div>
  );
}

function ReplayBanner(props: ReplayBannerProps) {
  const seq = props.entry?.seq ?? 0;
  const last = Math.max(0, props.steps - 1);
  return (
    <div
      className="history-banner replay"
      data-testid="replay-banner"
      data-step={props.step}
      data-seq={seq}
      data-playing={props.playing}
      role="region"
      aria-label="Replay"
    >
      <strong>Replay #{seq}</strong>
      <span className="muted">
        {props.step + 1}/{props.steps}
      </span>
      <Caption entry={props.entry} />
      <span className="facts">{props.facts}</span>
      <span className="spacer" />
      <button
        type="button"
        className="icon"
        data-testid="replay-back"
        title="One edit back"
        disabled={props.step <= 0}
        onClick={() => props.onSeek(props.step - 1)}
      >
        <StepBackIcon />
      </button>
      <button
        type="button"
        className="icon"
        data-testid="replay-toggle"
        title={props.playing ? 'Pause the replay' : 'Play the replay'}
        onClick={() => (props.playing ? props.onPause() : props.onPlay())}
      >
        {props.playing ? <PauseIcon /> : <PlayIcon />}
      </button>
      <button
        type="button"
        className="icon"
        data-testid="replay-forward"
        title="One edit forward"
        disabled={props.step >= last}
        onClick={() => props.onSeek(props.step + 1)}
      >
        <StepForwardIcon />
      </button>
      <input
        type="range"
        className="replay-scrub"
        data-testid="replay-scrub"
        aria-label="Replay position"
        min={0}
        max={last}
        step={1}
        value={props.step}
        onChange={(e) => props.onSeek(Number(e.currentTarget.value))}
      />
      <span
        className="speeds"
        role="group"
        aria-label="Replay speed"
        title={`The session's real pace (pauses over ${MAX_PAUSE_MS / 1000} s cut short): ${formatDuration(props.duration)} at 1×`}
      >
        {REPLAY_SPEEDS.map((s) => (
          <button
            type="button"
            key={s}
            className={s === props.speed ? 'active' : ''}
            data-testid={`replay-speed-${s}`}
            aria-pressed={s === props.speed}
            onClick={() => props.onSpeed(s)}
          >
            {s}×
          </button>
        ))}
      </span>
      {props.transport && <ListenButton transport={props.transport} />}
      {props.entry && <RestoreButton seq={seq} props={props} />}
      <button type="button" className="primary" data-testid="back-to-now" onClick={props.onBack}>
        Back to now
      </button>
    </div>
  );
}

export function HistoryBanner({ source }: { source: LatestValue<BannerProps | null> }) {
  const props = useSyncExternalStore(source.subscribe, source.get);
  if (!props) return null;
  return props.kind === 'past' ? <PastBanner {...props} /> : <ReplayBanner {...props} />;
}
