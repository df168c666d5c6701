/**
 * The part of the room's history the panel has loaded, newest first: the newest page at start,
 * older pages on demand, newer entries as they are logged (refresh() after document updates),
 * and the bookmarks. An external store (subscribe/getState) for useSyncExternalStore; pure apart
 * from the HistoryApi it is given, so its paging is tested under Node.
 *
 * The API pages forward only (`after=`, oldest first); since seqs run 1, 2, 3… without gaps,
 * a page older than seq s is asked for as `after = s - 1 - pageSize`.
 */
import type { HistoryBookmark, HistoryEntry, TakeBackResponse, TakeBackSource } from '../../sync-server/contract.ts';
import { describeApiError, HistoryApiError, type HistoryApi } from './history-api.ts';

export interface TimelineState {
  /** Loaded entries, newest first, without gaps. */
  entries: readonly HistoryEntry[];
  /** The newest seq the server reported (0: nothing logged yet). */
  lastSeq: number;
  bookmarks: readonly HistoryBookmark[];
  /** The first page has arrived (before that the panel says "loading"). */
  loaded: boolean;
  /** Entries older than the oldest loaded exist. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The latest failure in words, cleared by the next success. */
  error: string | null;
}

export interface TimelineOptions {
  /** Entries per request (the server allows up to 10,000). */
  pageSize?: number;
  /**
   * More new entries than this since the last refresh (a long time offline): the timeline starts
   * over from the newest page instead of fetching every page in between.
   */
  maxCatchUp?: number;
}

const INITIAL: TimelineState = {
  entries: [],
  lastSeq: 0,
  bookmarks: [],
  loaded: false,
  hasOlder: false,
  loadingOlder: false,
  error: null,
};

const bySeqDescending = (a: { seq: number }, b: { seq: number }): number => b.seq - a.seq;

export class TimelineStore {
  private state: TimelineState = INITIAL;
  private readonly listeners = new Set<() => void>();
  private readonly api: HistoryApi;
  private readonly pageSize: number;
  private readonly maxCatchUp: number;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private destroyed = false;

  constructor(api: HistoryApi, options: TimelineOptions = {}) {
    this.api = api;
    this.pageSize = options.pageSize ?? 100;
    this.maxCatchUp = options.maxCatchUp ?? 10 * (options.pageSize ?? 100);
  }

  readonly getState = (): TimelineState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  entry(seq: number): HistoryEntry | undefined {
    const { entries } = this.state;
    // Entries are contiguous and newest first: the index follows from the seq.
    const candidate = entries[(entries[0]?.seq ?? 0) - seq];
    return candidate?.seq === seq ? candidate : entries.find((e) => e.seq === seq);
  }

  /**
   * Loads the first page, or the entries logged since the last refresh, and the bookmarks.
   * Calls made while one runs are folded into one more run after it.
   */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        await this.guard(() => Promise.all([this.fetchNewer(), this.fetchBookmarks()]));
      } while (this.again && !this.destroyed);
    };
    this.inFlight = run().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Loads the page before the oldest loaded entry. */
  async loadOlder(): Promise<void> {
    const { entries, hasOlder, loadingOlder } = this.state;
    if (!hasOlder || loadingOlder || !entries.length) return;
    this.set({ loadingOlder: true });
    try {
      await this.guard(async () => {
        const oldest = entries.at(-1)!.seq;
        const after = Math.max(0, oldest - 1 - this.pageSize);
        const page = await this.api.history(after, oldest - 1 - after);
        const older = page.entries.filter((e) => e.seq < oldest).sort(bySeqDescending);
        // Merged into the current list: a refresh may have added newer entries meanwhile.
        const current = this.state.entries;
        const keep = older.filter((e) => e.seq < (current.at(-1)?.seq ?? Infinity));
        const merged = [...current, ...keep];
        this.set({ entries: merged, hasOlder: (merged.at(-1)?.seq ?? 0) > 1 });
      });
    } finally {
      this.set({ loadingOlder: false });
    }
  }

  async refreshBookmarks(): Promise<void> {
    await this.guard(() => this.fetchBookmarks());
  }

  /** Names the moment right after `seq`; resolves to the bookmark, which everyone can list. */
  async addBookmark(seq: number, name: string): Promise<HistoryBookmark> {
    const bookmark = await this.api.addBookmark(seq, name);
    this.set({ bookmarks: [...this.state.bookmarks, bookmark] });
    return bookmark;
  }

  /** Brings `seq` back as a new edit; resolves to that edit's seq once the timeline shows it. */
  async restore(seq: number): Promise<number> {
    const restored = await this.api.restore(seq);
    await this.refresh();
    // A refresh already running when the restore returned may have missed it.
    if ((this.state.entries[0]?.seq ?? 0) < restored) await this.refresh();
    return restored;
  }

  /** Takes back one source's edits as a new edit; resolves once the timeline shows it. */
  async takeBack(source: TakeBackSource): Promise<TakeBackResponse> {
    const done = await this.api.takeBack(source);
    await this.refresh();
    if ((this.state.entries[0]?.seq ?? 0) < done.seq) await this.refresh();
    return done;
  }

  destroy(): void {
    this.destroyed = true;
    this.listeners.clear();
  }

  private async fetchNewer(): Promise<void> {
    if (!this.state.loaded) return this.loadNewestPage();
    let after = this.state.entries[0]?.seq ?? 0;
    for (;;) {
      const page = await this.api.history(after, this.pageSize);
      if (page.lastSeq - after > this.maxCatchUp) return this.loadNewestPage();
      const newer = page.entries.filter((e) => e.seq > (this.state.entries[0]?.seq ?? 0)).sort(bySeqDescending);
      this.set({ entries: newer.length ? [...newer, ...this.state.entries] : this.state.entries, lastSeq: page.lastSeq });
      if (!page.entries.length) return;
      after = page.entries.at(-1)!.seq;
      if (after >= page.lastSeq) return;
    }
  }

  private async loadNewestPage(): Promise<void> {
    const lastSeq = await this.api.lastSeq();
    if (lastSeq === 0) {
      this.set({ entries: [], lastSeq: 0, loaded: true, hasOlder: false });
      return;
    }
    const after = Math.max(0, lastSeq - this.pageSize);
    const page = await this.api.history(after, this.pageSize);
    const entries = [...page.entries].sort(bySeqDescending);
    this.set({ entries, lastSeq: Math.max(page.lastSeq, lastSeq), loaded: true, hasOlder: (entries.at(-1)?.seq ?? 1) > 1 });
  }

  private async fetchBookmarks(): Promise<void> {
    try {
      const bookmarks = await this.api.bookmarks();
      this.set({ bookmarks });
    } catch (error) {
      // No log yet: no bookmarks either.
      if (error instanceof HistoryApiError && error.kind === 'not-found') return this.set({ bookmarks: [] });
      throw error;
    }
  }

  /** Runs a load; a failure becomes the state's error (and a success clears it). */
  private async guard(load: () => Promise<unknown>): Promise<void> {
    try {
      await load();
      if (this.state.error) this.set({ error: null });
    } catch (error) {
      if (error instanceof HistoryApiError && error.kind === 'not-found' && !this.state.entries.length) {
        this.set({ loaded: true, error: null });
        return;
      }
      this.set({ error: describeApiError(error), loaded: true });
    }
  }

  private set(patch: Partial<TimelineState>): void {
    if (this.destroyed) return;
    this.state = { ...this.state, ...patch };
    for (const l of [...this.listeners]) l();
  }
}
