/**
 * The browser's library: IndexedDB database `riffroom-library` of this page's origin, two object
 * stores (clips and presets, keyed by id). Versioned by IndexedDB's own database version (its
 * upgrade handler is the migration path: LIBRARY_DB_VERSION and upgrade()). What it reads back is
 * checked like an imported file (a record another build or an extension wrote is left out, not
 * served).
 */
import { checkLibraryClip, checkPreset } from '../../core/library/library-file.ts';
import { filterClips } from '../../core/library/library-query.ts';
import { byName } from '../../core/library/memory-store.ts';
import type { ImportSummary, LibraryClip, LibraryQuery, LibrarySnapshot, LibraryStore, PromptPreset } from '../../core/library/types.ts';

export const LIBRARY_DB_NAME = 'riffroom-library';
export const LIBRARY_DB_VERSION = 1;
const CLIPS = 'clips';
const PRESETS = 'presets';

/** Each version's step, run in order by onupgradeneeded (from the version the database had). */
function upgrade(db: IDBDatabase, from: number): void {
  if (from < 1) {
    db.createObjectStore(CLIPS, { keyPath: 'id' }).createIndex('savedAt', 'savedAt');
    db.createObjectStore(PRESETS, { keyPath: 'id' });
  }
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('the library transaction was aborted'));
  });
}

export function openLibraryDatabase(factory: IDBFactory = indexedDB, name = LIBRARY_DB_NAME): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, LIBRARY_DB_VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the library is open in an older Riffroom tab: close it and reload'));
  });
}

const checked = <T>(check: (v: unknown) => T, values: unknown[]): T[] =>
  values.flatMap((v) => {
    try {
      return [check(v)];
    } catch {
      return [];
    }
  });

export class IndexedDbLibraryStore implements LibraryStore {
  readonly #db: IDBDatabase;

  constructor(db: IDBDatabase) {
    this.#db = db;
  }

  static async open(factory?: IDBFactory, name?: string): Promise<IndexedDbLibraryStore> {
    return new IndexedDbLibraryStore(await openLibraryDatabase(factory, name));
  }

  close(): void {
    this.#db.close();
  }

  async #put(store: string, values: unknown[]): Promise<void> {
    const tx = this.#db.transaction(store === CLIPS ? [CLIPS] : [PRESETS], 'readwrite');
    for (const v of values) tx.objectStore(store).put(v);
    await committed(tx);
  }

  async saveClip(clip: LibraryClip): Promise<void> {
    await this.#put(CLIPS, [checkLibraryClip(clip)]);
  }

  async getClip(id: string): Promise<LibraryClip | null> {
    const value = await done(this.#db.transaction(CLIPS).objectStore(CLIPS).get(id));
    return value === undefined ? null : (checked(checkLibraryClip, [value])[0] ?? null);
  }

  async listClips(query?: LibraryQuery): Promise<LibraryClip[]> {
    const all = await done(this.#db.transaction(CLIPS).objectStore(CLIPS).getAll());
    return filterClips(checked(checkLibraryClip, all), query);
  }

  async deleteClip(id: string): Promise<void> {
    const tx = this.#db.transaction(CLIPS, 'readwrite');
    tx.objectStore(CLIPS).delete(id);
    await committed(tx);
  }

  async savePreset(preset: PromptPreset): Promise<void> {
    await this.#put(PRESETS, [checkPreset(preset)]);
  }

  async listPresets(): Promise<PromptPreset[]> {
    const all = await done(this.#db.transaction(PRESETS).objectStore(PRESETS).getAll());
    return checked(checkPreset, all).sort(byName);
  }

  async deletePreset(id: string): Promise<void> {
    const tx = this.#db.transaction(PRESETS, 'readwrite');
    tx.objectStore(PRESETS).delete(id);
    await committed(tx);
  }

  async snapshot(): Promise<LibrarySnapshot> {
    return { clips: await this.listClips(), presets: await this.listPresets() };
  }

  async importSnapshot(snapshot: LibrarySnapshot): Promise<ImportSummary> {
    const clips = snapshot.clips.map((c) => checkLibraryClip(c));
    const presets = snapshot.presets.map((p) => checkPreset(p));
    // One transaction over both stores: an import is added whole or not at all.
    const tx = this.#db.transaction([CLIPS, PRESETS], 'readwrite');
    for (const clip of clips) tx.objectStore(CLIPS).put(clip);
    for (const preset of presets) tx.objectStore(PRESETS).put(preset);
    await committed(tx);
    return { clips: clips.length, presets: presets.length };
  }
}
