/**
 * The side panel's "Library" tab: the user's riffs across projects. Save the selected clip (from
 * the arrangement or the editor: the selection is shared) with tags; browse, filter and search;
 * audition a riff in this song's tempo and key (transposed, core/library/placement.ts); insert it
 * into this song (one labelled edit through the edit runner, so viewers and teacher rules apply);
 * "More like this" on a riff or on the selected clip (core/library/find-similar.ts); export and
 * import the whole library as one file.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { findSimilar, libraryClipFeatures, songClipFeatures, type SimilarAnswer } from '../../core/library/find-similar.ts';
import { decodeLibraryFile, encodeLibraryFile, LIBRARY_FILE_EXTENSION, LibraryFileError } from '../../core/library/library-file.ts';
import { insertLibraryClip, placeInSong } from '../../core/library/placement.ts';
import type { LibraryClip } from '../../core/library/types.ts';
import { TRACK_ROLES } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import type { PanelProps } from '../app/panel-props.ts';
import { ROLE_COLOR } from '../app/arrangement/roles.ts';
import { audioTransportOf, type AuditionHandle } from '../audio/contract.ts';
import { MiniRoll } from '../generator/MiniRoll.tsx';
import { startLibraryDrag } from './library-drag.ts';
import { saveClipToLibrary } from './save-clip.ts';
import { explanations, facets, NO_FILTERS, queryOf, summaryOf, type LibraryFilters } from './library-view.ts';

const KEYS = Array.from({ length: 24 }, (_, i) => ({ tonic: i >> 1, mode: i % 2 ? ('minor' as const) : ('major' as const) }));
const NOTE_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const ENERGY = ['sparse', 'light', 'steady', 'lively', 'busy'];

type SimilarTarget = { kind: 'library'; clip: LibraryClip } | { kind: 'song'; clipId: string; name: string };

export function LibraryPanel(props: PanelProps) {
  const { library, song, selectedClipId, selectClip, session, edits, notify, transport, files } = props;
  const version = useSyncExternalStore(library.subscribe, library.version);
  const [all, setAll] = useState<LibraryClip[]>([]);
  const [shown, setShown] = useState<LibraryClip[]>([]);
  const [filters, setFilters] = useState<LibraryFilters>(NO_FILTERS);
  const [tags, setTags] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [auditioning, setAuditioning] = useState<string | null>(null);
  const [similar, setSimilar] = useState<{ target: SimilarTarget; answer: SimilarAnswer; ms: number } | null>(null);
  const audition = useRef<AuditionHandle | null>(null);
  const query = useMemo(() => queryOf(filters), [filters]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the signal that the library changed
  useEffect(() => {
    let live = true;
    void library.ready
      .then(async ({ store }) => [await store.listClips(), await store.listClips(query)] as const)
      .then(
        ([everything, filtered]) => {
          if (!live) return;
          setAll(everything);
          setShown(filtered);
        },
        (error: Error) => live && notify(`The library could not be read: ${error.message}`, 'error'),
      );
    return () => {
      live = false;
    };
  }, [library, version, query, notify]);

  const stopAudition = useCallback(() => {
    audition.current?.stop();
    audition.current = null;
    setAuditioning(null);
  }, []);
  useEffect(() => stopAudition, [stopAudition]);

  const selected = selectedClipId ? song.clips.find((c) => c.id === selectedClipId) : undefined;
  const choices = useMemo(() => facets(all), [all]);
  const set = (patch: Partial<LibraryFilters>) => setFilters((f) => ({ ...f, ...patch }));

  const save = (): void => {
    if (selected) void saveClipToLibrary(props, selected.id, tags.split(',')).then((saved) => saved && setTags(''));
  };

  const play = (clip: LibraryClip): void => {
    if (auditioning === clip.id) return stopAudition();
    const audio = audioTransportOf(transport);
    if (!audio) return notify('No audio engine in this window', 'error');
    const placed = placeInSong(clip, song);
    audition.current?.stop();
    const handle = audio.audition({
      notes: placed.notes,
      role: clip.role,
      instrument: clip.instrument,
      bars: placed.lengthBars,
      bpm: song.meta.bpm,
    });
    audition.current = handle;
    setAuditioning(clip.id);
    if (placed.note) notify(`Auditioning “${clip.name}” at ${song.meta.bpm} BPM, ${placed.note}`);
    void handle.done.then(() => {
      if (audition.current !== handle) return;
      audition.current = null;
      setAuditioning(null);
    });
  };

  const insert = (clip: LibraryClip): string | null => {
    const now = session.store.current();
    const startBar = now.meta.loop?.startBar ?? Math.max(0, Math.floor(transport.getState().playheadBar));
    const onSelectedTrack = selected && now.tracks.find((t) => t.id === selected.trackId && t.role === clip.role);
    const inserted = edits.run(() => insertLibraryClip(session.doc, now, clip, { startBar, trackId: onSelectedTrack?.id }));
    if (!inserted) return null;
    selectClip(inserted.clipId);
    notify(`Inserted “${clip.name}” at bar ${startBar + 1}`);
    return inserted.clipId;
  };

  /** Generate more like this: the riff goes into the song (as Insert does), and the AI panel writes variations of it. */
  const generateMore = (clip: LibraryClip): void => {
    const clipId = insert(clip);
    if (clipId) props.generateFrom?.(clipId);
  };

  const moreLike = (target: SimilarTarget): void => {
    const features = target.kind === 'library' ? libraryClipFeatures(target.clip) : songClipFeatures(song, target.clipId);
    if (!features) return;
    const t0 = performance.now();
    const answer = findSimilar(features, {
      library: all,
      song,
      exclude: target.kind === 'library' ? { libraryId: target.clip.id } : { clipId: target.clipId },
    });
    setSimilar({ target, answer, ms: performance.now() - t0 });
  };

  const exportLibrary = async (): Promise<void> => {
    const { store } = await library.ready;
    const snapshot = await store.snapshot();
    const bytes = new TextEncoder().encode(encodeLibraryFile(snapshot));
    const name = await files.save(`Riffroom library${LIBRARY_FILE_EXTENSION}`, bytes, 'application/json');
    if (name) notify(`Exported ${snapshot.clips.length} riffs and ${snapshot.presets.length} presets to ${name}`);
  };
  const importLibrary = async (): Promise<void> => {
    const file = await files.open([LIBRARY_FILE_EXTENSION, '.json']);
    if (!file) return;
    let text: string | null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
    } catch {
      text = null;
    }
    try {
      const snapshot = decodeLibraryFile(text);
      const { store } = await library.ready;
      const added = await store.importSnapshot(snapshot);
      library.changed();
      notify(`Imported ${added.clips} riffs and ${added.presets} presets from ${file.name}`);
    } catch (error) {
      notify(
        error instanceof LibraryFileError
          ? `${file.name} was not imported: ${error.message}`
          : `Import failed: ${(error as Error).message}`,
        'error',
      );
    }
  };

  return (
    <div className="library-panel" data-testid="library-panel" data-count={shown.length} data-total={all.length}>
      <header className="gen-header">
        <span className="gen-section-title">Your library</span>
        <span className="lib-location muted" title={library.status?.location ?? ''}>
          {all.length} riffs
        </span>
      </header>

      <div className="lib-save">
        <span className="lib-save-what">{selected ? `Selected: ${selected.name || 'clip'}` : 'Select a clip to save it'}</span>
        <input
          data-testid="lib-tags"
          placeholder="tags, comma separated"
          value={tags}
          maxLength={300}
          onChange={(e) => setTags(e.currentTarget.value)}
        />
        <button type="button" className="primary" data-testid="lib-save" disabled={!selected} onClick={save}>
          Save to library
        </button>
        <button
          type="button"
          data-testid="lib-similar-selected"
          disabled={!selected}
          onClick={() => selected && moreLike({ kind: 'song', clipId: selected.id, name: selected.name || 'the selected clip' })}
        >
          More like the selected clip
        </button>
      </div>

      <div className="lib-filters" data-testid="lib-filters">
        <input
          className="lib-wide"
          data-testid="lib-search"
          placeholder="Search name, tags, song, author…"
          value={filters.text}
          onChange={(e) => set({ text: e.currentTarget.value })}
        />
        <select data-testid="lib-role" value={filters.role} onChange={(e) => set({ role: e.currentTarget.value })} aria-label="Role">
          <option value="">any role</option>
          {TRACK_ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <select data-testid="lib-style" value={filters.style} onChange={(e) => set({ style: e.currentTarget.value })} aria-label="Style">
          <option value="">any style</option>
          {choices.styles.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select data-testid="lib-key" value={filters.key} onChange={(e) => set({ key: e.currentTarget.value })} aria-label="Key">
          <option value="">any key</option>
          {KEYS.map((k) => (
            <option key={`${k.tonic}:${k.mode}`} value={`${k.tonic}:${k.mode}`}>
              {NOTE_NAMES[k.tonic]} {k.mode}
            </option>
          ))}
        </select>
        <select
          data-testid="lib-energy"
          value={filters.energy}
          onChange={(e) => set({ energy: e.currentTarget.value })}
          aria-label="Energy"
        >
          <option value="">any energy</option>
          {ENERGY.map((word, i) => (
            <option key={word} value={i}>
              {word}
            </option>
          ))}
        </select>
        <span className="lib-tempo">
          <input
            data-testid="lib-tempo-min"
            type="number"
            placeholder="BPM from"
            value={filters.tempoMin}
            onChange={(e) => set({ tempoMin: e.currentTarget.value })}
          />
          <input
            data-testid="lib-tempo-max"
            type="number"
            placeholder="to"
            value={filters.tempoMax}
            onChange={(e) => set({ tempoMax: e.currentTarget.value })}
          />
        </span>
        <select data-testid="lib-mood" value={filters.mood} onChange={(e) => set({ mood: e.currentTarget.value })} aria-label="Mood or tag">
          <option value="">any mood or tag</option>
          {choices.moods.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <select
          data-testid="lib-author"
          value={filters.author}
          onChange={(e) => set({ author: e.currentTarget.value })}
          aria-label="Author"
        >
          <option value="">anyone</option>
          {choices.authors.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <select
          data-testid="lib-origin"
          value={filters.origin}
          onChange={(e) => set({ origin: e.currentTarget.value })}
          aria-label="AI or human"
        >
          <option value="">AI or human</option>
          <option value="ai">AI</option>
          <option value="human">human</option>
        </select>
      </div>

      <ul className="lib-list" data-testid="lib-list">
        {shown.map((clip) => (
          <li
            key={clip.id}
            className="lib-item"
            data-testid="lib-item"
            data-id={clip.id}
            data-name={clip.name}
            data-auditioning={auditioning === clip.id || undefined}
            draggable
            title="Drag onto a track to put it there"
            onDragStart={(e) => startLibraryDrag(e.dataTransfer, clip.id)}
          >
            <div className="lib-item-head">
              <button type="button" className="link lib-name" onClick={() => setOpen(open === clip.id ? null : clip.id)} title="Details">
                {clip.name}
              </button>
              <span className="spacer" />
              <button
                type="button"
                data-testid="lib-audition"
                title={`Play it at ${song.meta.bpm} BPM in this song's key`}
                onClick={() => play(clip)}
              >
                {auditioning === clip.id ? 'Stop' : 'Play'}
              </button>
              <button
                type="button"
                data-testid="lib-insert"
                title="Insert it into this song at the loop start or the playhead"
                onClick={() => insert(clip)}
              >
                Insert
              </button>
              <button type="button" data-testid="lib-more" title="More like this" onClick={() => moreLike({ kind: 'library', clip })}>
                Similar
              </button>
              {props.generateFrom && (
                <button
                  type="button"
                  data-testid="lib-generate-more"
                  title="Generate more like this: put it in the song and let the AI bandmate write variations of it"
                  onClick={() => generateMore(clip)}
                >
                  Vary
                </button>
              )}
            </div>
            <div className="lib-summary muted">{summaryOf(clip)}</div>
            {clip.tags.length > 0 && <div className="lib-tags">{clip.tags.map((t) => `#${t}`).join(' ')}</div>}
            <MiniRoll
              notes={clip.notes}
              bars={clip.lengthBars}
              barTicks={ticksPerBar(clip.meter)}
              newBars={{ from: 0, to: clip.lengthBars }}
              color={ROLE_COLOR[clip.role]}
              label={clip.name}
            />
            {open === clip.id && (
              <dl className="lib-details" data-testid="lib-details">
                {explanations(clip).map((row) => (
                  <div key={`${row.label}-${row.value}`} title={row.because}>
                    <dt>{row.label}</dt>
                    <dd>
                      {row.value} <span className="muted">— {row.because}</span>
                    </dd>
                  </div>
                ))}
                {clip.chords.length > 0 && (
                  <div>
                    <dt>Chords</dt>
                    <dd>{clip.chords.map((c) => c.symbol).join(' ')}</dd>
                  </div>
                )}
                <div>
                  <dt>Saved</dt>
                  <dd>
                    by {clip.savedBy}, {new Date(clip.savedAt).toLocaleString()}{' '}
                    <button type="button" className="link" data-testid="lib-delete" onClick={() => void library.deleteClip(clip.id)}>
                      remove
                    </button>
                  </dd>
                </div>
              </dl>
            )}
          </li>
        ))}
        {shown.length === 0 && (
          <li className="muted lib-empty">
            {all.length ? 'No riff matches these filters.' : 'Your library is empty: select a clip and save it.'}
          </li>
        )}
      </ul>

      {similar && (
        <section className="lib-similar" data-testid="lib-similar" aria-label="More like this">
          <header>
            More like “{similar.target.kind === 'library' ? similar.target.clip.name : similar.target.name}”{' '}
            <span className="muted">({similar.ms.toFixed(1)} ms)</span>
            <button type="button" className="link" onClick={() => setSimilar(null)}>
              close
            </button>
          </header>
          {(['library', 'song'] as const).map((where) => (
            <div key={where}>
              <h4>{where === 'library' ? 'In your library' : 'In this song'}</h4>
              <ol>
                {similar.answer[where].map((hit) => {
                  const name = hit.item.kind === 'library' ? hit.item.clip.name : `${hit.item.trackName}: ${hit.item.name || 'clip'}`;
                  return (
                    <li
                      key={hit.item.kind === 'library' ? hit.item.clip.id : hit.item.clipId}
                      data-testid="lib-similar-item"
                      data-where={where}
                      data-name={name}
                      data-score={hit.score.toFixed(3)}
                    >
                      <strong>{name}</strong> <span className="muted">{Math.round(hit.score * 100)}%</span>
                      <div className="muted">{hit.why}</div>
                      {hit.item.kind === 'song' ? (
                        <button type="button" className="link" onClick={() => hit.item.kind === 'song' && selectClip(hit.item.clipId)}>
                          select
                        </button>
                      ) : (
                        <button type="button" className="link" onClick={() => hit.item.kind === 'library' && insert(hit.item.clip)}>
                          insert
                        </button>
                      )}
                    </li>
                  );
                })}
                {similar.answer[where].length === 0 && <li className="muted">nothing to compare with</li>}
              </ol>
            </div>
          ))}
        </section>
      )}

      <footer className="lib-files">
        <button type="button" data-testid="lib-export" onClick={() => void exportLibrary()}>
          Export library…
        </button>
        <button type="button" data-testid="lib-import" onClick={() => void importLibrary()}>
          Import library…
        </button>
      </footer>
    </div>
  );
}
