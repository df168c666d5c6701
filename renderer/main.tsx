/**
 * The renderer's entry, the same build for the Electron window and browser tabs.
 *
 * SEAMS: the platform (platform/electron-platform.ts when the desktop app's preload bridge is
 * there, platform/browser-platform.ts in a browser tab) and the
 * transport (the Tone.js audio engine, which reads the song from the room's store).
 */
import { createRoot } from 'react-dom/client';
import { createAudioTransport } from './audio/tone/index.ts';
import { Root } from './app/Root.tsx';
import { browserPlatform } from './platform/browser-platform.ts';
import { electronBridge, electronPlatform } from './platform/electron-platform.ts';

const bridge = electronBridge();
const platform = bridge ? electronPlatform(bridge) : browserPlatform();
createRoot(document.getElementById('root')!).render(
  <Root
    platform={platform}
    createTransport={(session) => {
      const transport = createAudioTransport({ getSong: session.store.getSnapshot, subscribe: session.store.subscribe });
      // The room's engine, for the dev console and bench/room (stats(), onEvent(), audioTime()).
      (globalThis as { riffroomTransport?: unknown }).riffroomTransport = transport;
      return transport;
    }}
  />,
);
