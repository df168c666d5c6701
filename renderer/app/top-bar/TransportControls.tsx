/** Play/stop, back to the start, metronome, and where the playhead is (bar.beat). */
import type { Transport } from '../../audio/transport.ts';
import { audioTransportOf } from '../../audio/contract.ts';
import type { Meter } from '../../../core/time.ts';
import { usePlayheadBar, useTransportState } from '../../state/hooks.ts';
import { ticksPerBar } from '../../../core/time.ts';
import { MetronomeIcon, PlayIcon, StopIcon, ToStartIcon } from '../Icons.tsx';

export function TransportControls({ transport, meter }: { transport: Transport; meter: Meter }) {
  const state = useTransportState(transport);
  const audio = audioTransportOf(transport);
  // Floored to beats: the readout re-renders once a beat, not every frame.
  const beats = Math.round(usePlayheadBar(transport, ticksPerBar(meter), meter.numerator) * meter.numerator);
  const bar = Math.floor(beats / meter.numerator);
  const beat = beats - bar * meter.numerator;
  // The engine's own state (the same object useTransportState re-renders on), when there is an engine.
  const audioState = audio?.getState();
  const instruments = audioState?.instruments;
  return (
    <div className="group transport" data-instruments={instruments}>
      <button type="button" className="icon" title="To the start (Home)" aria-label="To the start" onClick={() => transport.seek(0)}>
        <ToStartIcon />
      </button>
      <button
        type="button"
        className={`icon play${state.playing ? ' playing' : ''}`}
        data-testid="play"
        aria-pressed={state.playing}
        title={state.playing ? 'Stop (Space)' : 'Play (Space)'}
        onClick={() => (state.playing ? transport.stop() : transport.play())}
      >
        {state.playing ? <StopIcon /> : <PlayIcon />}
      </button>
      <button
        type="button"
        className={`icon${state.metronome ? ' active' : ''}`}
        aria-pressed={state.metronome}
        title="Metronome"
        onClick={() => transport.setMetronome(!state.metronome)}
      >
        <MetronomeIcon />
      </button>
      <select
        className="count-in"
        data-testid="count-in"
        title="Count-in: bars of clicks before play starts (in a jam, everyone hears it on the shared clock)"
        aria-label="Count-in bars"
        value={state.countInBars}
        onChange={(e) => transport.setCountIn(Number(e.target.value))}
      >
        {[0, 1, 2, 3, 4].map((n) => (
          <option key={n} value={n}>
            {n === 0 ? 'No count-in' : `Count-in ${n}`}
          </option>
        ))}
      </select>
      <span className="position" data-testid="position" title="Playhead: bar.beat">
        {bar + 1}.{beat + 1}
      </span>
      <InstrumentsStatus instruments={instruments} />
      {state.playing && audioState?.audioSuspended && audio && (
        // The browser keeps a page silent until it is clicked (a guest joining a jam already playing).
        <button
          type="button"
          className="enable-audio"
          data-testid="enable-audio"
          title="The browser holds the sound until you click"
          onClick={() => void audio.resume()}
        >
          Playing — click to hear it
        </button>
      )}
    </div>
  );
}

/**
 * Says when the tracks are not on their sampled instruments: while the sound bank loads (the
 * synthesized voices play meanwhile), and where it cannot load (no AudioWorklet, the bank
 * missing). Nothing once the sampled instruments play.
 */
function InstrumentsStatus({ instruments }: { instruments?: 'loading' | 'sampled' | 'synthesized' }) {
  if (instruments === 'loading') {
    return (
      <span
        className="instruments-status"
        data-testid="instruments-status"
        data-state="loading"
        title="Simpler synthesized sounds play until the sampled instruments have loaded"
      >
        Loading instruments…
      </span>
    );
  }
  if (instruments === 'synthesized') {
    return (
      <span
        className="instruments-status"
        data-testid="instruments-status"
        data-state="synthesized"
        title="The sampled instruments could not load here (the sound bank or the browser's audio worklets are unavailable): simpler synthesized sounds play instead"
      >
        Synthesized sounds
      </span>
    );
  }
  return null;
}
