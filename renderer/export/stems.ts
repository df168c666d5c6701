/**
 * Stems: one render per track heard in the mix, each that track alone through the same engine
 * (renderSong, a black box: the track soloed in a copy of the song), over the same bars with the
 * same tail, so every stem starts at the mix's first downbeat and has the mix's sample count.
 *
 * Each stem passes the master bus alone (headroom, limiter, soft clip), as the mix does. Below
 * the limiter's threshold that bus is linear, so the stems add up to the mix; a mix that drives
 * the limiter adds up to less than its stems (the limiter acts on the sum, not on each part).
 */
import type { Song, Track } from '../../core/song/types.ts';
import type { RenderedAudio, RenderOptions } from '../audio/contract.ts';
import { resolveMix } from '../audio/mix.ts';
import { stemFileName } from './export-names.ts';

/** The offline render: renderSong from renderer/audio/tone (or whatever engine replaces it). */
export type RenderSong = (song: Song, options: RenderOptions) => Promise<RenderedAudio>;

export interface StemRange {
  fromBar: number;
  /** Exclusive. */
  toBar: number;
}

export interface Stem {
  track: Track;
  /** "01 Drums.wav": numbered in track order, unique, safe on every file system. */
  fileName: string;
  audio: RenderedAudio;
}

/** The tracks the mix has in it (mute and solo resolved), in the order the song shows them. */
export function stemTracks(song: Song): Track[] {
  const mix = resolveMix(song.tracks);
  return [...song.tracks].sort((a, b) => a.order - b.order).filter((t) => mix.get(t.id)?.audible);
}

/** A copy of the song in which only `trackId` is heard: it soloed (and unmuted), every other solo off. */
export function soloCopy(song: Song, trackId: string): Song {
  if (!song.tracks.some((t) => t.id === trackId)) throw new Error(`soloCopy: no track ${trackId}`);
  return { ...song, tracks: song.tracks.map((t) => (t.id === trackId ? { ...t, solo: true, mute: false } : { ...t, solo: false })) };
}

export interface StemOptions extends StemRange {
  sampleRate?: number;
  tailSeconds?: number;
  /** Called after each stem: how many are done of how many. */
  onProgress?(done: number, total: number): void;
}

export async function renderStems(song: Song, options: StemOptions, render: RenderSong): Promise<Stem[]> {
  const tracks = stemTracks(song);
  if (!tracks.length) throw new Error('No track is heard in the mix: nothing to make stems of');
  const renderOptions: RenderOptions = {
    fromBar: options.fromBar,
    toBar: options.toBar,
    sampleRate: options.sampleRate,
    tailSeconds: options.tailSeconds,
    metronome: false,
  };
  const stems: Stem[] = [];
  const used = new Set<string>();
  for (const track of tracks) {
    const audio = await render(soloCopy(song, track.id), renderOptions);
    const first = stems[0]?.audio;
    if (first && (audio.channels[0]!.length !== first.channels[0]!.length || audio.sampleRate !== first.sampleRate)) {
      throw new Error(
        `Stem "${track.name}" rendered ${audio.channels[0]!.length} samples, the first ${first.channels[0]!.length}: the engine must render equal ranges equally long`,
      );
    }
    stems.push({ track, fileName: stemFileName(stems.length + 1, track.name, used), audio });
    options.onProgress?.(stems.length, tracks.length);
  }
  return stems;
}
