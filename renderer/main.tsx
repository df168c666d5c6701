/**
 * The renderer's entry, the same build for the Electron window and browser tabs.
 *
 * SEAMS: the platform (platform/browser-platform.ts here; Electron passes its own) and the
 * transport (the Tone.js audio engine, which reads the song from the room's store).
 */
import { createRoot } from 'react-dom/client';
import { createAudioTransport } from './audio/tone/index.ts';
import { Root } from './app/Root.tsx';
import { browserPlatform } from './platform/browser-platform.ts';

const platform = browserPlatform();
createRoot(document.getElementById('root')!).render(
  <Root platform={platform} createTransport={(session) => createAudioTransport({ getSong: session.store.getSnapshot, subscribe: session.store.subscribe })} />,
);
