/**
 * A library kept in memory: the reference implementation of LibraryStore the shared store suite
 * (library-store.suite.ts) checks first, and the page's fallback when it has no IndexedDB (a
 * private window that refuses it) — the library then lasts as long as the page.
 */
import { filterClips } from './library-query.ts';
import type { ImportSummary, LibraryClip, LibraryQuery, LibrarySnapshot, LibraryStore, PromptPreset } from './types.ts';

/** A deep copy: what a store hands out is never the object it keeps. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class MemoryLibraryStore implements LibraryStore {
  readonly #clips = new Map<string, LibraryClip>();
  readonly #presets = new Map<string, PromptPreset>();

  async saveClip(clip: LibraryClip): Promise<void> {
    this.#clips.set(clip.id, copy(clip));
  }
  async getClip(id: string): Promise<LibraryClip | null> {
    const clip = this.#clips.get(id);
    return clip ? copy(clip) : null;
  }
  async listClips(query?: LibraryQuery): Promise<LibraryClip[]> {
    return filterClips(this.#clips.values(), query).map(copy);
  }
  async deleteClip(id: string): Promise<void> {
    this.#clips.delete(id);
  }
  async savePreset(preset: PromptPreset): Promise<void> {
    this.#presets.set(preset.id, copy(preset));
  }
  async listPresets(): Promise<PromptPreset[]> {
    return [...this.#presets.values()].sort(byName).map(copy);
  }
  async deletePreset(id: string): Promise<void> {
    this.#presets.delete(id);
  }
  async snapshot(): Promise<LibrarySnapshot> {
    return { clips: await this.listClips(), presets: await this.listPresets() };
  }
  async importSnapshot(snapshot: LibrarySnapshot): Promise<ImportSummary> {
    for (const clip of snapshot.clips) await this.saveClip(clip);
    for (const preset of snapshot.presets) await this.savePreset(preset);
    return { clips: snapshot.clips.length, presets: snapshot.presets.length };
  }
}

/** Presets by name, then id. */
export function byName(a: PromptPreset, b: PromptPreset): number {
  return a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
