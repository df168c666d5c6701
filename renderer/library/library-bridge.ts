/** The desktop window's library: every call goes over the preload bridge to the main process (electron/library/). */
import type { LibraryStore } from '../../core/library/types.ts';
import type { LibraryRequest, LibraryStatus, RiffroomBridge } from '../../electron/contract.ts';
import type { LibraryService } from './library-service.ts';

type LibraryBridge = NonNullable<RiffroomBridge['library']>;

/** The desktop's library: every call goes to the main process. */
export function bridgeLibraryStore(bridge: LibraryBridge): LibraryStore {
  const call = <R extends LibraryRequest>(request: R) => bridge.call(request);
  return {
    saveClip: async (clip) => void (await call({ op: 'saveClip', clip })),
    getClip: (id) => call({ op: 'getClip', id }),
    listClips: (query = {}) => call({ op: 'listClips', query }),
    deleteClip: async (id) => void (await call({ op: 'deleteClip', id })),
    savePreset: async (preset) => void (await call({ op: 'savePreset', preset })),
    listPresets: () => call({ op: 'listPresets' }),
    deletePreset: async (id) => void (await call({ op: 'deletePreset', id })),
    snapshot: () => call({ op: 'snapshot' }),
    importSnapshot: (snapshot) => call({ op: 'importSnapshot', snapshot }),
  };
}

export function electronLibrary(bridge: LibraryBridge): LibraryService {
  const store = bridgeLibraryStore(bridge);
  let status: Promise<LibraryStatus> | null = null;
  return {
    ready: async () => ({ store, status: await (status ??= bridge.call({ op: 'status' })) }),
  };
}
