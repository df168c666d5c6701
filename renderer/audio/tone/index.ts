/**
 * The audio engine's public entry for the app: the live transport, offline renders and WAV
 * export, and the measurements the tests use. Importing this pulls in Tone.js; UI code that only
 * needs types imports ../contract.ts or ../transport.ts instead.
 */
export { createAudioTransport, type AudioTransportOptions } from './audio-transport.ts';
export { renderSong, renderSongToWav } from './offline.ts';
export { AudioEngine, type EngineOptions } from './engine.ts';
export type {
  AudioTransport,
  AudioTransportState,
  AuditionHandle,
  AuditionRequest,
  EngineStats,
  RenderOptions,
  RenderedAudio,
  ScheduledEvent,
  SongSource,
  TransportPosition,
} from '../contract.ts';
export { clipAudition } from '../audition-song.ts';
export { encodeWav, decodeWav } from '../wav.ts';
export { levels, onsets, maxDifference, envelope } from '../measure.ts';
