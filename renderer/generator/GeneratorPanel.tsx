/**
 * The AI bandmate panel (the side panel's "Generate" tab). The controls (SettingsForm) and the
 * selected clip's bars (ClipBars) make a request (build-request.ts); the GenerationRunner sends
 * it to the local model, streaming notes into the variations' previews while bandmates see
 * "generating bass…"; a kept variation is written as one labelled edit with its provenance
 * (keep-take.ts, provenance.ts), which the panel shows for a selected generated clip with
 * "Re-roll exactly" and "Re-roll with a new seed" (reroll.ts).
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { TrackRole } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import type { PanelProps } from '../app/panel-props.ts';
import { ROLE_COLOR } from '../app/arrangement/roles.ts';
import { audioTransportOf, type AudioTransport, type AuditionHandle } from '../audio/contract.ts';
import { animationFrames } from '../state/frame-scheduler.ts';
import { setActivity } from '../state/presence.ts';
import type { RoomSession } from '../state/session.ts';
import { audibleNotes, clampRange, defaultFillRange, rangeLabel, type BarRange } from './bar-ranges.ts';
import {
  ACTIONS,
  actionBlocked,
  activityText,
  clipModelRole,
  planAction,
  resultBarsOf,
  type GeneratorAction,
  type PanelContext,
  type PlannedGeneration,
} from './build-request.ts';
import { ClipBars } from './ClipBars.tsx';
import { describeError } from './errors.ts';
import { GenerationRunner, isBusy } from './generation-run.ts';
import { keepTake } from './keep-take.ts';
import { ProvenanceCard } from './ProvenanceCard.tsx';
import { generatedProvenance, notesFingerprint } from './provenance.ts';
import { generatedDetailOf, planReroll, rerollMatches, type RerollPlan } from './reroll.ts';
import { RunStatus } from './RunStatus.tsx';
import { SettingsForm } from './SettingsForm.tsx';
import { DEFAULT_SETTINGS, MAX_GENERATED_BARS, randomSeed, type GeneratorSettings } from './settings.ts';
import { voiceChords } from './song-chords.ts';
import { Variations } from './Variations.tsx';
import type { PromptPreset } from '../../core/library/types.ts';
import { PresetBar } from '../library/PresetBar.tsx';
import { presetFromSettings, recallPreset, withRiff } from '../library/presets.ts';

const ACTION_LABEL: Record<GeneratorAction, string> = {
  generate: 'Generate',
  continue: 'Continue',
  infill: 'Fill bars',
  vary: 'Vary',
  accompany: 'Accompany',
};

const ACTION_HINT: Record<GeneratorAction, string> = {
  generate: 'A new part at the loop start (or the playhead)',
  continue: 'Bars after the selected clip',
  infill: 'Rewrite the chosen bars of the selected clip, keeping the rest',
  vary: 'A new take on the selected clip',
  accompany: 'A part for the role over the other tracks and the chords, in the same bars',
};

/** The name bandmates see for this user now (a rename goes through presence). */
function localName(session: RoomSession): string {
  const user = session.awareness.getLocalState()?.user as { name?: unknown } | undefined;
  return typeof user?.name === 'string' && user.name ? user.name : session.user.name;
}

/** The transport's audition, when the audio engine has one (the null transport in tests does not). */
function auditioner(transport: PanelProps['transport']): Pick<AudioTransport, 'audition' | 'stopAudition'> | null {
  return audioTransportOf(transport);
}

export function GeneratorPanel(props: PanelProps) {
  const { session, song, selectedClipId, selectClip, transport, inference, edits, notify, library } = props;
  const runner = useMemo(
    () =>
      new GenerationRunner({
        client: () => inference.client(),
        resetHost: () => inference.dispose(),
        setActivity: (activity) => setActivity(session.awareness, activity),
        schedule: animationFrames,
        now: () => performance.now(),
      }),
    [inference, session.awareness],
  );
  useEffect(() => () => runner.dispose(), [runner]);
  const run = useSyncExternalStore(runner.subscribe, runner.getState);
  const busy = isBusy(run);

  const [settings, setSettings] = useState<GeneratorSettings>(DEFAULT_SETTINGS);
  const [fill, setFill] = useState<BarRange>({ from: 1, to: 3 });
  const [lockedBars, setLockedBars] = useState<number[]>([]);
  const [inputError, setInputError] = useState<string | null>(null);
  /** The preset recalled or saved last: the next kept take is remembered as its riff. */
  const [activePreset, setActivePreset] = useState<PromptPreset | null>(null);
  /** The variation being previewed, and its handle (a ref: stopping it is no render's business). */
  const [auditioning, setAuditioning] = useState<number | null>(null);
  const auditionHandle = useRef<AuditionHandle | null>(null);

  const clip = selectedClipId ? song.clips.find((c) => c.id === selectedClipId) : undefined;
  const track = clip && song.tracks.find((t) => t.id === clip.trackId);
  const fillRange = clip ? clampRange(fill, Math.min(clip.lengthBars, MAX_GENERATED_BARS)) : null;

  // A newly selected clip brings its own bars: its length, the middle bars to fill, no locks. The
  // role control stays: it is the part Generate and Accompany write (a clip's actions use its track's).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the selection changes, not on every edit of the song (see below)
  useEffect(() => {
    const selected = selectedClipId ? song.clips.find((c) => c.id === selectedClipId) : undefined;
    if (!selected) return;
    const bars = Math.min(selected.lengthBars, MAX_GENERATED_BARS);
    setFill(defaultFillRange(bars));
    setLockedBars([]);
    setInputError(null);
    setSettings((s) => ({ ...s, bars }));
    // Only when the selection changes (not on every edit of the song): the user's choices for this clip stay.
  }, [selectedClipId]);

  const audio = auditioner(transport);
  const stopAudition = useCallback(() => {
    auditionHandle.current?.stop();
    auditionHandle.current = null;
    setAuditioning(null);
  }, []);
  useEffect(() => stopAudition, [stopAudition]);

  /** The song as it is now (the snapshot may be a frame behind the document). */
  const currentSong = session.store.current;
  const context = (now = song): PanelContext => ({
    song: now,
    settings,
    selectedClipId,
    playheadBar: transport.getState().playheadBar,
    fill,
    lockedBars,
  });

  // "Generate more like this" from the library: once its clip is the selection, vary it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: acts once per request, when the selection has caught up with it
  useEffect(() => {
    const request = props.varyRequest;
    if (!request || request.clipId !== selectedClipId || !currentSong().clips.some((c) => c.id === request.clipId)) return;
    props.onVaryTaken?.();
    act(() => planAction('vary', context(currentSong())));
  }, [props.varyRequest, selectedClipId]);

  const blocked = useMemo(() => {
    const ctx: PanelContext = { song, settings, selectedClipId, playheadBar: 0, fill, lockedBars };
    return Object.fromEntries(ACTIONS.map((a) => [a, actionBlocked(a, ctx)])) as Record<GeneratorAction, string | null>;
  }, [song, settings, selectedClipId, fill, lockedBars]);

  const startPlan = (plan: PlannedGeneration): void => {
    setInputError(null);
    stopAudition();
    void runner.start(plan, activityText(plan.request));
  };
  const act = (make: () => PlannedGeneration): void => {
    try {
      startPlan(make());
    } catch (error) {
      setInputError(describeError(error).message);
    }
  };

  const keep = (index: number): void => {
    const { plan, result } = runner.getState();
    const variation = result?.variations[index];
    if (!plan || !result || !variation) return;
    const provenance =
      plan.target.kind === 'chord-track'
        ? null
        : generatedProvenance(result, plan.request, { variation: index, ...plan.slice }, localName(session), new Date());
    const clipName = plan.label.replace(/^(generated|re-rolled) /, '');
    const kept = edits.run(() => keepTake(session.doc, plan.target, plan.slice, variation, provenance, plan.label, clipName));
    if (!kept) return;
    stopAudition();
    runner.discard();
    if (kept.clipId) selectClip(kept.clipId);
    notify(`Kept: ${plan.label}`);
    const made = kept.clipId ? currentSong().clips.find((c) => c.id === kept.clipId) : undefined;
    if (activePreset && made) {
      const updated = withRiff(
        activePreset,
        { name: made.name || clipName, notes: made.notes, lengthBars: made.lengthBars, meter: song.meta.meter },
        new Date(),
      );
      setActivePreset(updated);
      library.savePreset(updated).catch((error: Error) => notify(`The preset could not keep its riff: ${error.message}`, 'error'));
    }
  };

  const recall = (preset: PromptPreset): void => {
    const recalled = recallPreset(preset);
    setSettings(recalled.settings);
    setLockedBars(recalled.lockedBars);
    setActivePreset(preset);
    notify(`Recalled preset “${preset.name}”`);
  };
  const savePreset = (name: string, existing: PromptPreset | undefined): void => {
    const preset = presetFromSettings(name, settings, lockedBars, new Date(), existing);
    library.savePreset(preset).then(
      () => {
        setActivePreset(preset);
        notify(`Saved preset “${preset.name}” to your library`);
      },
      (error: Error) => notify(`The preset could not be saved: ${error.message}`, 'error'),
    );
  };

  const audition = (index: number): void => {
    if (auditioning === index) return stopAudition();
    const { plan, result } = runner.getState();
    const variation = result?.variations[index];
    if (!audio || !plan || !variation) return;
    const bars = resultBarsOf(plan.request);
    const role: TrackRole = plan.request.role === 'chords' ? 'keys' : plan.request.role;
    const target = plan.target;
    const onTrack =
      target.kind === 'replace-clip'
        ? song.tracks.find((t) => t.id === song.clips.find((c) => c.id === target.clipId)?.trackId)
        : target.kind === 'new-clip'
          ? song.tracks.find((t) => t.id === target.preferTrackId)
          : undefined;
    const notes = plan.request.role === 'chords' ? voiceChords(variation.chords, bars * ticksPerBar(plan.request.meter)) : variation.notes;
    auditionHandle.current?.stop();
    const handle = audio.audition({ notes, role, instrument: onTrack?.instrument, bars });
    auditionHandle.current = handle;
    setAuditioning(index);
    // Played to its end: the button is a play button again (unless another preview took over).
    void handle.done.then(() => {
      if (auditionHandle.current !== handle) return;
      auditionHandle.current = null;
      setAuditioning(null);
    });
  };

  const generated = generatedDetailOf(song, selectedClipId);
  const rerollPlan = run.plan?.rerollOf ? (run.plan as RerollPlan) : null;
  const match =
    rerollPlan?.rerollOf.exact && rerollPlan.rerollOf.clipId === selectedClipId && run.status === 'done' && run.result
      ? rerollMatches(song, rerollPlan, run.result)
        ? 'same'
        : 'different'
      : null;
  let rerollBlocked: string | null = null;
  if (generated && clip?.locked) rerollBlocked = 'This clip is locked: unlock it to let the AI bandmate rewrite it.';

  const hostState = run.host ? 'ready' : run.hostStarting ? 'starting' : 'idle';
  const roleColor = ROLE_COLOR[(run.plan?.request.role === 'chords' ? 'other' : run.plan?.request.role) ?? 'other'];

  return (
    <div className="generator-panel" data-testid="generator-panel" data-state={run.status} onPointerEnter={() => runner.warmUp()}>
      <header className="gen-header">
        <span className="gen-section-title">AI bandmate</span>
        <span
          className="gen-host"
          data-testid="gen-host"
          data-status={hostState}
          title={
            run.host
              ? `${run.host.model.name} (${run.host.model.sha256.slice(0, 8)}) on ${run.host.provider.name}`
              : 'The model loads on first use'
          }
        >
          <span className="lamp" />
          {run.host ? `${run.host.model.id} · ${run.host.provider.name}` : hostState === 'starting' ? 'starting…' : 'local model'}
        </span>
      </header>

      <PresetBar library={library} disabled={busy} active={activePreset} onRecall={recall} onSave={savePreset} />

      <SettingsForm
        settings={settings}
        songKey={song.meta.key}
        disabled={busy}
        onChange={(patch) => setSettings((s) => ({ ...s, ...patch }))}
      />

      <div className="gen-actions" role="group" aria-label="Ask the AI bandmate">
        {(['generate', 'accompany'] as const).map((action) => (
          <button
            key={action}
            type="button"
            className={action === 'generate' ? 'primary' : ''}
            data-testid={`gen-${action}`}
            disabled={busy || Boolean(blocked[action])}
            title={blocked[action] ?? ACTION_HINT[action]}
            onClick={() => act(() => planAction(action, context(currentSong())))}
          >
            {ACTION_LABEL[action]}
          </button>
        ))}
      </div>

      {clip && fillRange ? (
        <>
          <ClipBars
            clip={clip}
            trackName={track?.name ?? 'Clip'}
            role={clipModelRole(song, clip, settings.role)}
            fill={fill}
            lockedBars={lockedBars}
            disabled={busy}
            onFill={setFill}
            onLockedBars={setLockedBars}
          />
          <div className="gen-actions" role="group" aria-label="Ask about the selected clip">
            {(['continue', 'vary', 'infill'] as const).map((action) => (
              <button
                key={action}
                type="button"
                data-testid={action === 'infill' ? 'gen-fill' : `gen-${action}`}
                disabled={busy || Boolean(blocked[action])}
                title={blocked[action] ?? ACTION_HINT[action]}
                onClick={() => act(() => planAction(action, context(currentSong())))}
              >
                {action === 'infill' ? `Fill ${rangeLabel(fillRange)}` : ACTION_LABEL[action]}
              </button>
            ))}
          </div>
        </>
      ) : (
        <p className="gen-hint muted">Select a clip to continue it, vary it or fill some of its bars.</p>
      )}

      <RunStatus state={run} inputError={inputError} onCancel={() => runner.cancel()} onRetry={() => run.plan && startPlan(run.plan)} />

      <Variations
        state={run}
        color={roleColor}
        auditioning={auditioning}
        keepBlocked={edits.readOnly ? 'You joined as a viewer: you can listen, not keep.' : null}
        auditionBlocked={audio ? null : 'No audio engine in this window'}
        onAudition={audition}
        onKeep={keep}
        onDiscard={() => {
          stopAudition();
          runner.discard();
        }}
      />

      {generated && (
        <ProvenanceCard
          detail={generated.detail}
          fingerprint={notesFingerprint(audibleNotes(generated.clip, song.meta.meter))}
          hostSha={run.host?.model.sha256 ?? null}
          match={match}
          busy={busy}
          blocked={rerollBlocked}
          onRerollExact={() => act(() => planReroll(currentSong(), generated.clip.id, null))}
          onRerollNewSeed={() => act(() => planReroll(currentSong(), generated.clip.id, randomSeed()))}
        />
      )}
    </div>
  );
}
