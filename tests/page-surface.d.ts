/**
 * What a Chromium page exposes to the tests and benchmarks that drive it with playwright-core,
 * declared once as typed globals (as tldraw's end-to-end specs declare `window.editor`). Code in
 * `page.evaluate(() => …)`, `waitForFunction`, `read`/`until` (tests/renderer/harness.ts) and
 * `inPage` (tests/audio/audio-page.ts) runs in the page and reads these as `globalThis.<name>`.
 *
 * Only tsconfig.chromium.json includes this file (with the DOM lib); Node-only code never sees
 * these globals. Two kinds of entry:
 * - hooks the page itself sets, typed from the renderer's own types, so a renamed field or a
 *   changed signature there is a type error here;
 * - hooks a test installs into the page (a fake preload bridge, counters, logs of what a page
 *   showed), each naming the test that installs it.
 * Each is declared present: a test reads one only once it has waited for it (or installed it).
 */
import type { CopyLinkRequest, RendererCommand, RiffroomBridge, ShareOnlineRequest } from '../electron/contract.ts';
import type { AudioTransport } from '../renderer/audio/contract.ts';
import type * as Fixtures from '../renderer/audio/fixtures.ts';
import type * as Sampler from '../renderer/audio/sampler/index.ts';
import type * as Engine from '../renderer/audio/tone/index.ts';
import type * as Exporter from '../renderer/export/export-song.ts';
import type { LoudnessFigure } from '../renderer/export/loudness-figure.ts';
import type { JamProbes } from '../renderer/jam/jam-probes.ts';
import type { JamSession } from '../renderer/jam/jam-session.ts';
import type { LibraryModel } from '../renderer/library/library-model.ts';
import type { MidiSession } from '../renderer/midi/midi-session.ts';
import type { InferenceClient } from '../inference/client.ts';
import type { INFERENCE_PROTOCOL } from '../inference/contract.ts';
import type { configureMessage, workerUrlWithConfig } from '../inference/web/worker-config.ts';
import type { workerTransport } from '../inference/web/worker-transport.ts';
import type * as Recorder from './audio/page-recorder.ts';
import type * as Tone from 'tone';

/** The room's jam as tests read it: its view (getState/subscribe), its timeline, its parts. */
export type PageJam = JamSession;

/** A module's exports spread into the bundle's plain object (`{ ...engine }`): writable, so a test may wrap one. */
type Spread<T> = { -readonly [K in keyof T]: T[K] };

/** tests/audio/audio-page.ts's default bundle: the engine's exports and what its tests play with. */
export type AudioPageBundle = Spread<typeof Engine> & {
  fixtures: typeof Fixtures;
  Tone: typeof Tone;
  sampler: typeof Sampler;
  recorder: typeof Recorder;
};

/** tests/export/exports.test.ts's bundle: the engine, the exporter and two page-side helpers. */
export type ExportPageBundle = Spread<typeof Engine> & {
  fixtures: typeof Fixtures;
  exporter: typeof Exporter;
  /** Base64 of bytes (a page result must be serialisable). */
  b64(bytes: Uint8Array): string;
  /** The HTML of the export dialog's LoudnessReport for `figures`. */
  showReport(figures: readonly LoudnessFigure[]): string;
};

/** tests/web-inference.test.ts's bundle: the client side of the inference worker, as the renderer imports it. */
export interface InferencePageBundle {
  InferenceClient: typeof InferenceClient;
  workerTransport: typeof workerTransport;
  configureMessage: typeof configureMessage;
  workerUrlWithConfig: typeof workerUrlWithConfig;
  INFERENCE_PROTOCOL: typeof INFERENCE_PROTOCOL;
}

/** One call the fake bridge recorded (tests/renderer/desktop.test.ts): which, and what it was given. */
export type BridgeCall =
  | { call: 'save'; name: string; size: number }
  | { call: 'dragOut'; trackName: string; clipName: string; bytes: number[] }
  | { call: 'hostJam' }
  | { call: 'stopHosting' }
  | { call: 'copyLink'; which: CopyLinkRequest['which'] }
  | { call: 'checkJoinLink'; link: string }
  | { call: 'joinJam'; link: string }
  | { call: 'tokenInfo'; origin: string | null }
  | ({ call: 'shareOnline' } & ShareOnlineRequest);

declare global {
  // --- Set by the page ---

  /** The room's jam session, set by renderer/jam/connect.ts once the room's jam opens. */
  var riffroomJam: PageJam;
  /**
   * What the jam played, scheduled, retimed and received (renderer/jam/jam-probes.ts), attached
   * from outside the session by connect.ts beside riffroomJam.
   */
  var riffroomJamProbes: JamProbes;
  /** The riff library of the page (its store once ready), set by renderer/app/App.tsx. */
  var riffroomLibrary: LibraryModel;
  /** The notes the audio engine scheduled for auditions, in order (tests/renderer/library.test.ts). */
  var __auditioned: number[];
  /** The room's MIDI (ports, routes, clock), set by renderer/midi/connect.ts beside riffroomJam. */
  var riffroomMidi: MidiSession;
  /** The room's audio engine, set by renderer/main.tsx when a session creates its transport. */
  var riffroomTransport: AudioTransport;
  /**
   * The bundle of an audio test page (tests/audio/audio-page.ts's `entry`): its default bundle, or
   * the exports test's. Each page holds only its own part; a test reads the part its page bundles.
   */
  var riffroomAudio: AudioPageBundle & ExportPageBundle;
  /** The bundle of tests/web-inference.test.ts's page. */
  var riffroomInference: InferencePageBundle;

  // --- Installed by tests ---

  /** The desktop app's preload bridge; tests/renderer/desktop.test.ts installs a fake before the page loads. */
  var riffroom: RiffroomBridge | undefined;
  /** The fake bridge's calls, in order (tests/renderer/desktop.test.ts). */
  var bridgeCalls: BridgeCall[];
  /** Sends an application-menu command through the fake bridge (tests/renderer/desktop.test.ts). */
  var sendMenuCommand: (command: RendererCommand) => void;
  /** 'saved' makes the fake bridge's save dialog save; otherwise it is cancelled (tests/renderer/desktop.test.ts). */
  var saveAnswer: string | undefined;
  /** Each notice text the page showed, in order (tests/renderer/desktop.test.ts). */
  var __notices: string[];
  /** Each generator status text the page showed, in order (tests/renderer/generator.test.ts). */
  var __seen: string[];
  /** Each state of the AI-answers switch the page showed, in order (tests/renderer/ai-answers.test.ts). */
  var __aiFlips: string[];
  /** The page time (ms since the epoch) of the last input event it received (tests/renderer/arrangement.test.ts). */
  var __lastInputAt: number;
  /** Delivers MIDI bytes from the fake MIDI input to the page (tests/renderer/jam.test.ts). */
  var __midiIn: (bytes: number[]) => void;
  /**
   * The scripted Web MIDI of tests/renderer/midi.test.ts: what each output was sent (port, bytes,
   * timestamp), the engine's notes as scheduled with the timestamp they map to, and hooks to feed
   * the clock input, unplug and plug a port, and run a DAW's clock.
   */
  var __midi: {
    sends: { port: string; data: number[]; timestamp: number; serverThen: number }[];
    notes: { time: number; pitch: number; expected: number }[];
    input(bytes: number[], timeStamp: number): void;
    unplug(id: string): void;
    plug(id: string): void;
    daw: { downbeat: number; done: boolean } | null;
    runDaw(bpm: number, beatsBefore: number, beats: number, jitterMs: number): void;
  };
  /**
   * The scripted Web MIDI of tests/renderer/midi-track-route.test.ts: what each output was sent,
   * each set of tracks the engine was told not to sound here (setLocalSilence), and how often a
   * track header's MIDI light came on.
   */
  var __midiRoute: {
    sends: { port: string; data: number[]; timestamp: number }[];
    silenced: string[][];
    lights: number;
  };
  /** The metronome clicks the engine scheduled, on its audio clock (tests/renderer/jam.test.ts). */
  var __clicks: { time: number; tick: number }[];
  /** How often the player stopped or reached the end while joining a playing room (tests/renderer/jam.test.ts). */
  var __early: { stops: number; ends: number };
  /** When the generator panel showed the host ready, the first streamed note and the variations done, in ms after the click (tests/renderer/generator.test.ts). */
  var __gen: { clickAt: number; hostReady: number | null; firstNote: number | null; done: number | null; observer: MutationObserver };
  /** Each seq the replay banner showed, in order, and the observer recording them (tests/renderer/history.test.ts). */
  var __replaySeqs: number[];
  var __replayObserver: MutationObserver;
  /** The folder picker; tests/renderer/files.test.ts installs one handing over the page's private file system. */
  var showDirectoryPicker: (() => Promise<FileSystemDirectoryHandle>) | undefined;
  /** The worker and client of tests/web-inference.test.ts's first test, which later tests reuse. */
  var __inference: { worker: Worker; client: InferenceClient };
  /** Refusals the jam server sent this page (tests/renderer/teacher.test.ts). */
  var __refusals: number;
  /** Local edits of the room's document, one counter per countLocalEdits call (tests/renderer/harness.ts). */
  var __localEdits: Record<string, number>;
}
