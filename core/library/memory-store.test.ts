import { libraryStoreSuite } from '../../tests/support/library-store-suite.ts';
import { MemoryLibraryStore } from './memory-store.ts';

libraryStoreSuite('memory store', { open: async () => new MemoryLibraryStore() });
