/** File names for exports: the song's title (and the clip's name), safe on every file system. Pure. */
import type { Clip, Song } from '../../core/song/types.ts';

/** Letters, digits, spaces, dashes and underscores; anything else goes. */
function safe(text: string): string {
  return text
    .replace(/[^\p{L}\p{N}_\- ]+/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function songFileName(title: string, extension: string): string {
  return `${safe(title) || 'riffroom-song'}.${extension}`;
}

export function clipFileName(song: Song, clip: Clip, extension: string): string {
  const track = song.tracks.find((t) => t.id === clip.trackId);
  const part = safe(clip.name) || safe(track?.name ?? '') || 'clip';
  const bars = `bars ${clip.startBar + 1}-${clip.startBar + clip.lengthBars}`;
  return `${safe(song.meta.title) || 'riffroom-song'} - ${part} (${bars}).${extension}`;
}

/** A file name without its extension, for naming what was imported from it. */
export function baseName(fileName: string): string {
  return fileName.replace(/\.[^.]*$/, '');
}
