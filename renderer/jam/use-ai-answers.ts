/**
 * The "AI answers" toggle at work: after the user has played live in the last N bars, a little
 * before the next bar line the AI bandmate continues those bars (answer.ts) and its answer is
 * written into the N bars from that bar line, on the "AI answers" track, as one labelled edit
 * everyone hears. It waits for the answer's N bars to pass before listening again.
 */
import { useEffect, useRef, useState } from 'react';
import { readSong } from '../../core/song/schema.ts';
import { nextBarLine } from '../../core/jam/timeline.ts';
import type { PanelProps } from '../app/panel-props.ts';
import { setActivity } from '../state/presence.ts';
import { answerBars, answerFrom, answerOutcome, answerRequest, answerRole, callNotes, callStartBar, writeAnswer } from './answer.ts';
import type { JamSession } from './jam-session.ts';
import type { JamView } from './jam-view.ts';

export function useAiAnswers(
  props: PanelProps,
  jam: JamSession | null,
  view: JamView | null,
  trackId: string | null,
): { status: string | null } {
  const [status, setStatus] = useState<string | null>(null);
  const on = !!view?.settings.aiAnswers && !!view.live && !!view.transport?.playing;
  const bars = view?.settings.aiBars ?? 2;
  const latest = useRef({ props, trackId });
  latest.current = { props, trackId };
  useEffect(() => {
    if (!jam || !on) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let busyUntil = 0;
    let stopped = false;
    const schedule = (): void => {
      const state = jam.client.transport();
      if (stopped || !state?.playing) return;
      const now = jam.serverNow();
      const line = nextBarLine(state, now, jam.timeline.barMs() * 0.3);
      if (!line) return;
      // A quarter of a bar before the bar line: time to answer before it sounds.
      const at = line.atMs - jam.timeline.barMs() * 0.25;
      timer = setTimeout(() => void listen(line.atMs).finally(schedule), Math.max(20, at - now));
    };
    const listen = async (lineMs: number): Promise<void> => {
      const state = jam.client.transport();
      if (!state?.playing || lineMs < busyUntil) return;
      const call = callNotes(jam.liveNotes.recent(), state, lineMs, bars);
      if (call.length < 2) return;
      const { props: p, trackId: playedTrack } = latest.current;
      const song = readSong(p.session.doc);
      const role = answerRole(song.tracks.find((t) => t.id === playedTrack)?.role);
      const range = answerBars(state, lineMs, bars);
      const request = answerRequest(
        song,
        role,
        call,
        bars,
        range,
        Math.floor(Math.random() * 0xffffffff),
        callStartBar(state, lineMs, bars),
      );
      busyUntil = lineMs + bars * jam.timeline.barMs();
      setStatus(`answering your ${bars} bar${bars > 1 ? 's' : ''}…`);
      setActivity(p.session.awareness, `answering ${p.session.user.name}…`);
      try {
        const result = await p.inference.client().generate(request);
        const answer = answerFrom(request, result, range, p.session.user.name);
        // Not `stopped`: this effect re-runs when the view blinks (a reconnect), and the answer
        // the model worked on is still wanted unless answers are off or the music stopped.
        const outcome = answerOutcome(answer, {
          aiAnswers: !!jam.getState().settings.aiAnswers,
          playing: !!jam.client.transport()?.playing,
        });
        if (!outcome.write || !answer) return setStatus(outcome.write ? 'The AI had no answer this time.' : outcome.status);
        const written = p.edits.run(() => writeAnswer(p.session.doc, answer));
        setStatus(
          written ? `${answer.label}, bars ${range.from + 1}–${range.to}` : 'The AI answered, but the edit was refused (see the notice).',
        );
      } catch (error) {
        setStatus(`The AI could not answer: ${(error as Error).message}`);
      } finally {
        setActivity(p.session.awareness, null);
      }
    };
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [jam, on, bars]);
  return { status };
}
