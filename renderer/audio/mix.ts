/**
 * Mute/solo resolution and fader law, as the mixer and the scheduler apply them: any soloed track
 * silences every track that is not soloed; mute always wins over solo (a muted soloed track is
 * silent, and still silences the others, as in most DAWs). A fader at the bottom (-60 dB, "silent" in core's Track type) is off.
 */
import type { Track } from '../../core/song/types.ts';

/** Track.volumeDb at or below this is silence, not -60 dB. */
export const SILENT_DB = -60;

export interface TrackMix {
  id: string;
  /** Whether the track is heard at all (mute/solo resolved, fader above the floor). */
  audible: boolean;
  /** Fader gain in dB; -Infinity when the fader is at the bottom. */
  gainDb: number;
  pan: number;
}

export function resolveMix(tracks: readonly Pick<Track, 'id' | 'mute' | 'solo' | 'volumeDb' | 'pan'>[]): Map<string, TrackMix> {
  const anySolo = tracks.some((t) => t.solo);
  const mix = new Map<string, TrackMix>();
  for (const t of tracks) {
    const gainDb = t.volumeDb <= SILENT_DB ? -Infinity : Math.min(t.volumeDb, 6);
    const audible = !t.mute && (!anySolo || t.solo) && gainDb > -Infinity;
    mix.set(t.id, { id: t.id, audible, gainDb, pan: Math.max(-1, Math.min(1, t.pan)) });
  }
  return mix;
}

export function dbToGain(db: number): number {
  return db === -Infinity ? 0 : 10 ** (db / 20);
}

export function gainToDb(gain: number): number {
  return gain <= 0 ? -Infinity : 20 * Math.log10(gain);
}
