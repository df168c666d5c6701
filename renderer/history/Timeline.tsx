/**
 * The timeline list: "now" at the top, then every loaded checkpoint newest first — seq, author in
 * their presence colour, label, time, size — with runs of small edits folded into groups that
 * open, and bookmarks inline above the moment they name. A click views that moment; ↑/↓ step
 * through every checkpoint (inside closed groups too); Esc goes back to now.
 */
import { Fragment, useEffect, useRef, type KeyboardEvent } from 'react';
import type { HistoryBookmark, HistoryEntry } from '../../sync-server/contract.ts';
import { formatBytes, formatTime } from './format.ts';
import { summarizeLabels, type TimelineItem } from './group-entries.ts';
import { ChevronIcon, FlagIcon } from './icons.tsx';

interface TimelineProps {
  items: TimelineItem[];
  /** Every loaded entry, newest first (keyboard stepping walks these). */
  entries: readonly HistoryEntry[];
  bookmarks: readonly HistoryBookmark[];
  /** The moment shown in the arrangement, or null for now. */
  viewedSeq: number | null;
  /** An entry to mark as just made (the restore). */
  highlightSeq: number | null;
  expanded: ReadonlySet<number>;
  colorFor(author: string): string;
  onView(seq: number): void;
  onNow(): void;
  onToggleGroup(key: number): void;
}

function EntryRow({ entry, props, nested }: { entry: HistoryEntry; props: TimelineProps; nested?: boolean }) {
  const current = props.viewedSeq === entry.seq;
  const restore = entry.label.startsWith('restored #');
  return (
    <li
      className={`history-entry${current ? ' current' : ''}${restore ? ' restore' : ''}${props.highlightSeq === entry.seq ? ' highlight' : ''}${nested ? ' nested' : ''}`}
      data-testid="history-entry"
      data-seq={entry.seq}
      data-author={entry.author}
      data-label={entry.label}
    >
      <button
        type="button"
        className="entry-button"
        aria-current={current ? 'true' : undefined}
        title={`See and hear the song right after #${entry.seq} (${new Date(entry.time).toLocaleString()})`}
        onClick={() => props.onView(entry.seq)}
      >
        <span className="seq">#{entry.seq}</span>
        <span className="author" style={{ color: props.colorFor(entry.author) }}>
          <span className="dot" style={{ background: props.colorFor(entry.author) }} />
          {entry.author}
        </span>
        <span className="label">{entry.label}</span>
        <span className="meta">
          {formatTime(entry.time)} · {formatBytes(entry.bytes)}
        </span>
      </button>
    </li>
  );
}

function BookmarkRows({ seq, props }: { seq: number; props: TimelineProps }) {
  const marks = props.bookmarks.filter((b) => b.seq === seq);
  return (
    <>
      {marks.map((b) => (
        <li
          key={`${b.seq}-${b.name}-${b.time}`}
          className="history-bookmark"
          data-testid="history-bookmark"
          data-seq={b.seq}
          data-name={b.name}
        >
          <button
            type="button"
            className="entry-button"
            onClick={() => props.onView(b.seq)}
            title={`Named by ${b.author} at ${formatTime(b.time)}`}
          >
            <span className="flag">
              <FlagIcon />
            </span>
            <span className="name">{b.name}</span>
            <span className="meta">
              #{b.seq} · {b.author}
            </span>
          </button>
        </li>
      ))}
    </>
  );
}

export function Timeline(props: TimelineProps) {
  const list = useRef<HTMLOListElement>(null);

  // Keep the viewed moment in sight as the keyboard or a replay moves it.
  useEffect(() => {
    if (props.viewedSeq === null) return;
    list.current?.querySelector(`[data-seq="${props.viewedSeq}"] > .entry-button`)?.scrollIntoView({ block: 'nearest' });
  }, [props.viewedSeq]);

  const onKeyDown = (e: KeyboardEvent<HTMLOListElement>): void => {
    const { entries, viewedSeq } = props;
    if (e.key === 'Escape') {
      props.onNow();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!entries.length) return;
      const index = viewedSeq === null ? -1 : entries.findIndex((x) => x.seq === viewedSeq);
      const next = e.key === 'ArrowDown' ? index + 1 : index - 1;
      if (next < 0) props.onNow();
      else if (next < entries.length) props.onView(entries[next]!.seq);
    } else {
      return;
    }
    // Handled here: the window's shortcuts (nudge, deselect) must not act on it too.
    e.preventDefault();
  };

  return (
    <ol className="history-timeline" data-testid="history-timeline" ref={list} onKeyDown={onKeyDown} aria-label="Checkpoints, newest first">
      <li className={`history-now${props.viewedSeq === null ? ' current' : ''}`} data-testid="history-now">
        <button type="button" className="entry-button" aria-current={props.viewedSeq === null ? 'true' : undefined} onClick={props.onNow}>
          <span className="live-dot" aria-hidden="true" />
          <span className="label">Now</span>
          <span className="meta">{props.entries.length ? `live · after #${props.entries[0]!.seq}` : 'live'}</span>
        </button>
      </li>
      {props.items.map((item) => {
        if (item.kind === 'entry') {
          return (
            <Fragment key={item.entry.seq}>
              <BookmarkRows seq={item.entry.seq} props={props} />
              <EntryRow entry={item.entry} props={props} />
            </Fragment>
          );
        }
        const open = props.expanded.has(item.key) || item.entries.some((e) => e.seq === props.viewedSeq);
        const newest = item.entries[0]!;
        const oldest = item.entries.at(-1)!;
        return (
          <li
            key={`g${item.key}`}
            className={`history-group${open ? ' open' : ''}`}
            data-testid="history-group"
            data-author={item.author}
            data-count={item.entries.length}
            data-seqs={item.entries.map((e) => e.seq).join(' ')}
          >
            <div className="group-head">
              <button
                type="button"
                className="group-toggle"
                data-testid="history-group-toggle"
                aria-expanded={open}
                title={open ? 'Fold these edits' : 'Show each of these edits'}
                onClick={() => props.onToggleGroup(item.key)}
              >
                <ChevronIcon open={open} />
              </button>
              <button
                type="button"
                className="entry-button"
                onClick={() => props.onView(newest.seq)}
                title={`See the song after #${newest.seq}`}
              >
                <span className="seq">
                  #{oldest.seq}–{newest.seq}
                </span>
                <span className="author" style={{ color: props.colorFor(item.author) }}>
                  <span className="dot" style={{ background: props.colorFor(item.author) }} />
                  {item.author}
                </span>
                <span className="label">
                  {item.entries.length} edits: {summarizeLabels(item.entries)}
                </span>
                <span className="meta">
                  {formatTime(oldest.time)}–{formatTime(newest.time)}
                </span>
              </button>
            </div>
            {open && (
              <ol className="group-entries">
                {item.entries.map((entry) => (
                  <EntryRow key={entry.seq} entry={entry} props={props} nested />
                ))}
              </ol>
            )}
          </li>
        );
      })}
    </ol>
  );
}
