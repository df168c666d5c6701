/**
 * The open library in the page: the store once it is ready, and a change counter the panels
 * subscribe to (a clip saved from the library panel, or a preset saved from the AI panel, makes
 * both re-read). One per page (App makes it from the platform's LibraryService).
 */
import type { LibraryClip, LibraryStore, PromptPreset } from '../../core/library/types.ts';
import type { LibraryStatus } from '../../electron/contract.ts';
import type { LibraryService } from './library-service.ts';

export class LibraryModel {
  #store: LibraryStore | null = null;
  #status: LibraryStatus | null = null;
  #version = 0;
  readonly #listeners = new Set<() => void>();
  readonly ready: Promise<{ store: LibraryStore; status: LibraryStatus }>;

  constructor(service: LibraryService) {
    this.ready = service.ready().then((opened) => {
      this.#store = opened.store;
      this.#status = opened.status;
      this.changed();
      return opened;
    });
  }

  get store(): LibraryStore | null {
    return this.#store;
  }
  get status(): LibraryStatus | null {
    return this.#status;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
  /** Bumped on every change: what useSyncExternalStore compares. */
  readonly version = (): number => this.#version;

  changed(): void {
    this.#version++;
    for (const l of this.#listeners) l();
  }

  async saveClip(clip: LibraryClip): Promise<void> {
    await (await this.ready).store.saveClip(clip);
    this.changed();
  }
  async deleteClip(id: string): Promise<void> {
    await (await this.ready).store.deleteClip(id);
    this.changed();
  }
  async savePreset(preset: PromptPreset): Promise<void> {
    await (await this.ready).store.savePreset(preset);
    this.changed();
  }
  async deletePreset(id: string): Promise<void> {
    await (await this.ready).store.deletePreset(id);
    this.changed();
  }
}
