/**
 * Songs and clips as MusicXML 4.0 (partwise) that notation programs open: one part per track with
 * its instrument, key, meter and tempo; the chord lane as <harmony> symbols over the first pitched
 * part; section bookmarks as rehearsal marks; drums on a percussion staff as unpitched notes, one <score-instrument> per drum sound; note
 * lengths spelled by notation.ts (rests, ties, triplets, voices). Velocities ride along as each
 * note's `dynamics` so our own import gets them back; the provenance record (core/provenance) in
 * <identification><miscellaneous>. Pure: a string in, bytes via mxl.ts.
 */
import { TICKS_PER_QUARTER, ticksPerBar, type Ticks } from '../time.ts';
import { programForTrack } from '../midi/general-midi.ts';
import type { Chord, Song, Track } from '../song/types.ts';
import { EditError } from '../song/validate.ts';
import { chordSymbol, parseChordSymbol, type ChordQuality } from '../theory/chords.ts';
import { DIVISIONS, notatePart, type NotatedPart, type NotationEvent, type SourceNote } from './notation.ts';
import { drumDisplay, drumName, keyFifths, spellPitch } from './spelling.ts';
import { provenanceFields } from '../provenance/fields.ts';
import { provenanceRecord } from '../provenance/record.ts';

/** What part of the song to write; everything by default. */
export interface MusicXmlExportRange {
  /** First bar written (0-based) and the bar after the last. */
  fromBar?: number;
  toBar?: number;
  /** Only these tracks, in song order. */
  trackIds?: string[];
  /** Only these clips' notes. */
  clipIds?: string[];
  /** The score's title; the song's by default. */
  title?: string;
}

export interface MusicXmlExport {
  xml: string;
  /** Notes written (each tied chain counted once): what an independent reader should count. */
  noteCount: number;
  /** Notes notation had to shorten or merge beyond quantizing (more than MusicXML's voices). */
  shortened: number;
}

/** The velocity MusicXML's `dynamics="100"` means (forte, per the spec's MIDI mapping). */
export const DYNAMICS_VELOCITY = 90;
const SOFTWARE = 'Riffroom';

export function songToMusicXml(song: Song, range: MusicXmlExportRange = {}): MusicXmlExport {
  const barTicks = ticksPerBar(song.meta.meter);
  const fromBar = range.fromBar ?? 0;
  const toBar = Math.max(fromBar + 1, range.toBar ?? songEndBar(song, barTicks));
  const from = fromBar * barTicks;
  const to = toBar * barTicks;
  const tracks = song.tracks.filter((t) => !range.trackIds || range.trackIds.includes(t.id));
  const flats = keyFifths(song.meta.key) < 0;
  const chords = song.chords.filter((c) => c.tick >= from && c.tick < to);
  // Chord symbols sit over the first pitched part; a song of drums alone gets a part just for them.
  const harmonyTrack = tracks.find((t) => t.role !== 'drums');
  const parts: PartPlan[] = tracks.map((track, i) => ({
    id: `P${i + 1}`,
    track,
    notes: trackNotes(song, track, from, to, barTicks, range.clipIds),
    chords: track === harmonyTrack ? chords : [],
  }));
  if (!harmonyTrack && (chords.length || !parts.length)) {
    parts.push({ id: `P${parts.length + 1}`, track: null, notes: [], chords });
  }

  let noteCount = 0;
  let shortened = 0;
  const body = parts.map((part, i) => {
    const notated = notatePart(part.notes, {
      meter: song.meta.meter,
      bars: toBar - fromBar,
      percussion: part.track?.role === 'drums',
    });
    noteCount += countNotes(notated);
    shortened += notated.shortened;
    return writePart(part, notated, { song, flats, from, withTempo: i === 0 });
  });
  const xml = [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">',
    '<score-partwise version="4.0">',
    `  <work><work-title>${escapeXml(range.title ?? song.meta.title)}</work-title></work>`,
    '  <identification>',
    `    <encoding><software>${SOFTWARE}</software></encoding>`,
    // Where the music came from (core/provenance), in the fields MusicXML keeps for anything else.
    '    <miscellaneous>',
    ...provenanceFields(exportProvenance(song, range, fromBar, toBar)).map(
      (f) => `      <miscellaneous-field name="${escapeXml(f.name)}">${escapeXml(f.value)}</miscellaneous-field>`,
    ),
    '    </miscellaneous>',
    '  </identification>',
    '  <part-list>',
    ...parts.map((p, i) => partListEntry(p, i)),
    '  </part-list>',
    ...body,
    '</score-partwise>',
    '',
  ].join('\n');
  return { xml, noteCount, shortened };
}

/** One clip as a score of its own: its track's part over the clip's bars, with the chords under it. */
export function clipToMusicXml(song: Song, clipId: string): MusicXmlExport {
  const clip = song.clips.find((c) => c.id === clipId);
  if (!clip) throw new EditError(`no clip with id ${clipId}`);
  return songToMusicXml(song, {
    fromBar: clip.startBar,
    toBar: clip.startBar + clip.lengthBars,
    trackIds: [clip.trackId],
    clipIds: [clip.id],
    title: [song.meta.title, clip.name].filter(Boolean).join(' – '),
  });
}

/** The record of what this export holds: the song's bars, or one clip. */
function exportProvenance(song: Song, range: MusicXmlExportRange, fromBar: number, toBar: number) {
  const clipId = range.clipIds?.length === 1 ? range.clipIds[0] : undefined;
  return provenanceRecord(song, {
    what: clipId ? 'clip' : 'song',
    content: 'notation',
    range: { fromBar, toBar },
    clipId,
    trackId: range.trackIds?.length === 1 ? range.trackIds[0] : undefined,
  });
}

interface PartPlan {
  id: string;
  /** Null for the chord-symbol part of a song without pitched tracks. */
  track: Track | null;
  notes: SourceNote[];
  chords: Chord[];
}

function songEndBar(song: Song, barTicks: Ticks): number {
  let end = 0;
  for (const c of song.clips) end = Math.max(end, (c.startBar + c.lengthBars) * barTicks);
  for (const c of song.chords) end = Math.max(end, c.tick + c.duration);
  return Math.max(1, Math.ceil(end / barTicks));
}

/**
 * A track's notes in [from, to), from `from`. As in the app (and the MIDI export), notes starting
 * at or after their clip's end are hidden and notes running past it are cut at its end.
 */
function trackNotes(song: Song, track: Track, from: Ticks, to: Ticks, barTicks: Ticks, clipIds?: string[]): SourceNote[] {
  const out: SourceNote[] = [];
  for (const clip of song.clips) {
    if (clip.trackId !== track.id || (clipIds && !clipIds.includes(clip.id))) continue;
    const clipStart = clip.startBar * barTicks;
    const clipEnd = clipStart + clip.lengthBars * barTicks;
    for (const n of clip.notes) {
      const start = clipStart + n.tick;
      const end = Math.min(start + n.duration, clipEnd, to);
      if (start >= clipEnd || start < from || start >= to || end <= start) continue;
      out.push({ pitch: n.pitch, tick: start - from, duration: end - start, velocity: n.velocity });
    }
  }
  return out.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

function countNotes(part: NotatedPart): number {
  let count = 0;
  for (const m of part.measures) {
    for (const voice of m.voices) for (const e of voice) if (e.chord && !e.tieStop) count += e.chord.notes.length;
  }
  return count;
}

function partListEntry(part: PartPlan, index: number): string {
  const name = part.track ? part.track.name || part.track.role : 'Chords';
  const lines = [`    <score-part id="${part.id}">`, `      <part-name>${escapeXml(name)}</part-name>`];
  const channel = index % 16 === 9 ? 11 : (index % 16) + 1;
  if (part.track?.role === 'drums') {
    const pitches = [...new Set(part.notes.map((n) => n.pitch))].sort((a, b) => a - b);
    for (const p of pitches) {
      lines.push(`      <score-instrument id="${part.id}-I${p + 1}"><instrument-name>${drumName(p)}</instrument-name></score-instrument>`);
    }
    for (const p of pitches) {
      lines.push(
        `      <midi-instrument id="${part.id}-I${p + 1}"><midi-channel>10</midi-channel><midi-unpitched>${p + 1}</midi-unpitched></midi-instrument>`,
      );
    }
  } else if (part.track) {
    lines.push(
      `      <score-instrument id="${part.id}-I1"><instrument-name>${escapeXml(part.track.instrument || name)}</instrument-name></score-instrument>`,
      `      <midi-instrument id="${part.id}-I1"><midi-channel>${channel}</midi-channel><midi-program>${programForTrack(part.track) + 1}</midi-program></midi-instrument>`,
    );
  }
  lines.push('    </score-part>');
  return lines.join('\n');
}

interface WriteContext {
  song: Song;
  flats: boolean;
  /** Song tick of the first written bar. */
  from: Ticks;
  withTempo: boolean;
}

function writePart(part: PartPlan, notated: NotatedPart, context: WriteContext): string {
  const percussion = part.track?.role === 'drums';
  const barTicks = ticksPerBar(context.song.meta.meter);
  const lines = [`  <part id="${part.id}">`];
  notated.measures.forEach((measure, m) => {
    lines.push(`    <measure number="${m + 1}">`);
    if (m === 0) lines.push(attributes(part, context, percussion));
    if (m === 0 && context.withTempo) lines.push(tempoDirection(context.song.meta.bpm));
    // Section bookmarks as rehearsal marks over the first part, as the MIDI export writes markers.
    if (context.withTempo) {
      const bar = context.from / barTicks + m;
      for (const b of context.song.bookmarks) if (b.bar === bar) lines.push(rehearsal(b.name));
    }
    const measureStart = context.from + m * barTicks;
    const chords = part.chords.filter((c) => c.tick >= measureStart && c.tick < measureStart + barTicks);
    measure.voices.forEach((events, v) => {
      if (!events.length) return;
      if (v > 0) lines.push(`      <backup><duration>${(barTicks * DIVISIONS) / TICKS_PER_QUARTER}</duration></backup>`);
      for (const e of events) {
        if (v === 0) {
          // Chord symbols go before the event they fall in, offset when they fall inside it.
          const eventEnd = e.start + (e.divisions * TICKS_PER_QUARTER) / DIVISIONS;
          for (const c of chords) {
            const at = c.tick - measureStart;
            if (at >= e.start && at < eventEnd)
              lines.push(harmony(c.symbol, ((at - e.start) * DIVISIONS) / TICKS_PER_QUARTER, context.flats));
          }
        }
        lines.push(...noteElements(e, v + 1, part, context.flats, percussion));
      }
    });
    if (m === notated.measures.length - 1) lines.push('      <barline location="right"><bar-style>light-heavy</bar-style></barline>');
    lines.push('    </measure>');
  });
  lines.push('  </part>');
  return lines.join('\n');
}

function attributes(part: PartPlan, context: WriteContext, percussion: boolean): string {
  const { meter, key } = context.song.meta;
  const clef = percussion
    ? '<clef><sign>percussion</sign></clef>'
    : usesBassClef(part.notes)
      ? bassClef()
      : '<clef><sign>G</sign><line>2</line></clef>';
  return [
    '      <attributes>',
    `        <divisions>${DIVISIONS}</divisions>`,
    // A drum staff has no key: its lines are instruments, not pitches.
    `        <key${percussion ? ' print-object="no"' : ''}><fifths>${keyFifths(key)}</fifths><mode>${key.mode}</mode></key>`,
    `        <time><beats>${meter.numerator}</beats><beat-type>${meter.denominator}</beat-type></time>`,
    `        ${clef}`,
    '      </attributes>',
  ].join('\n');
}

function bassClef(): string {
  return '<clef><sign>F</sign><line>4</line></clef>';
}

/** Bass clef when most notes lie below middle C's B (the treble staff's ledger-line zone). */
function usesBassClef(notes: SourceNote[]): boolean {
  if (!notes.length) return false;
  const sorted = notes.map((n) => n.pitch).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]! < 55;
}

function tempoDirection(bpm: number): string {
  const rounded = Math.round(bpm * 100) / 100;
  return [
    '      <direction placement="above">',
    `        <direction-type><metronome><beat-unit>quarter</beat-unit><per-minute>${rounded}</per-minute></metronome></direction-type>`,
    `        <sound tempo="${rounded}"/>`,
    '      </direction>',
  ].join('\n');
}

function rehearsal(name: string): string {
  return `      <direction placement="above"><direction-type><rehearsal>${escapeXml(name)}</rehearsal></direction-type></direction>`;
}

const KIND_OF_QUALITY: Record<ChordQuality, string> = {
  maj: 'major',
  min: 'minor',
  dim: 'diminished',
  aug: 'augmented',
  sus2: 'suspended-second',
  sus4: 'suspended-fourth',
  '7': 'dominant',
  maj7: 'major-seventh',
  m7: 'minor-seventh',
  dim7: 'diminished-seventh',
  m7b5: 'half-diminished',
  mMaj7: 'major-minor',
  '6': 'major-sixth',
  m6: 'minor-sixth',
};

/** Suffixes that name an extended chord: written as its own kind so readers show the extension. */
const KIND_OF_SUFFIX: Record<string, string> = {
  '9': 'dominant-ninth',
  '11': 'dominant-11th',
  '13': 'dominant-13th',
  maj9: 'major-ninth',
  m9: 'minor-ninth',
  m11: 'minor-11th',
  '5': 'power',
};

/**
 * A chord symbol as <harmony>: root, kind and slash bass, with the symbol's own suffix as the
 * kind's display text (so "C9" shows as written, and reads back as written). A symbol that is
 * no chord our theory knows is written as text on a major kind.
 */
function harmony(symbol: string, offsetDivisions: number, flats: boolean): string {
  const parsed = parseChordSymbol(symbol);
  const match = /^\s*([A-Ga-g][#b♯♭]?)([^/]*?)(?:\/([A-Ga-g][#b♯♭]?))?\s*$/.exec(symbol);
  const rootName = match?.[1] ?? chordSymbol({ root: parsed?.root ?? 0, quality: 'maj', bass: null }, flats);
  const suffix = match?.[2] ?? '';
  const lines = ['      <harmony>'];
  lines.push(`        <root>${stepAlter('root', rootName)}</root>`);
  const kind = KIND_OF_SUFFIX[suffix] ?? (parsed ? KIND_OF_QUALITY[parsed.quality] : 'major');
  lines.push(`        <kind text="${escapeXml(suffix)}">${kind}</kind>`);
  if (match?.[3]) lines.push(`        <bass>${stepAlter('bass', match[3])}</bass>`);
  if (offsetDivisions) lines.push(`        <offset>${offsetDivisions}</offset>`);
  lines.push('      </harmony>');
  return lines.join('\n');
}

function stepAlter(prefix: 'root' | 'bass', name: string): string {
  const step = name[0]!.toUpperCase();
  const accidental = name.slice(1);
  const alter = accidental === '#' || accidental === '♯' ? 1 : accidental === 'b' || accidental === '♭' ? -1 : 0;
  return `<${prefix}-step>${step}</${prefix}-step>${alter ? `<${prefix}-alter>${alter}</${prefix}-alter>` : ''}`;
}

function noteElements(e: NotationEvent, voice: number, part: PartPlan, flats: boolean, percussion: boolean): string[] {
  const tail = (): string[] => {
    const out: string[] = [`<voice>${voice}</voice>`];
    if (!e.measureRest || e.divisions === 96) out.push(`<type>${e.type}</type>`);
    if (e.dots && !e.measureRest) out.push('<dot/>');
    if (e.triplet) out.push('<time-modification><actual-notes>3</actual-notes><normal-notes>2</normal-notes></time-modification>');
    return out;
  };
  const tuplets = (): string[] => [
    ...(e.tupletStart ? ['<tuplet type="start" bracket="yes"/>'] : []),
    ...(e.tupletStop ? ['<tuplet type="stop"/>'] : []),
  ];
  if (!e.chord) {
    const rest = e.measureRest ? '<rest measure="yes"/>' : '<rest/>';
    const notations = tuplets();
    return [
      `      <note>${rest}<duration>${e.divisions}</duration>${tail().join('')}${notations.length ? `<notations>${notations.join('')}</notations>` : ''}</note>`,
    ];
  }
  const notes = [...e.chord.notes].sort((a, b) => a.pitch - b.pitch);
  return notes.map((n, i) => {
    const dynamics = Math.round((n.velocity / DYNAMICS_VELOCITY) * 10000) / 100;
    const parts: string[] = [`      <note dynamics="${dynamics}">`];
    if (i > 0) parts.push('<chord/>');
    if (percussion) {
      const display = drumDisplay(n.pitch);
      parts.push(`<unpitched><display-step>${display.step}</display-step><display-octave>${display.octave}</display-octave></unpitched>`);
    } else {
      const p = spellPitch(n.pitch, flats);
      parts.push(`<pitch><step>${p.step}</step>${p.alter ? `<alter>${p.alter}</alter>` : ''}<octave>${p.octave}</octave></pitch>`);
    }
    parts.push(`<duration>${e.divisions}</duration>`);
    if (e.tieStop) parts.push('<tie type="stop"/>');
    if (e.tieStart) parts.push('<tie type="start"/>');
    if (percussion) parts.push(`<instrument id="${part.id}-I${n.pitch + 1}"/>`);
    parts.push(...tail());
    if (percussion && drumDisplay(n.pitch).notehead !== 'normal') parts.push(`<notehead>${drumDisplay(n.pitch).notehead}</notehead>`);
    const notations = [
      ...(e.tieStop ? ['<tied type="stop"/>'] : []),
      ...(e.tieStart ? ['<tied type="start"/>'] : []),
      ...(i === 0 ? tuplets() : []),
    ];
    if (notations.length) parts.push(`<notations>${notations.join('')}</notations>`);
    parts.push('</note>');
    return parts.join('');
  });
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(text: string): string {
  // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') continue;
    out += XML_ESCAPES[c] ?? c;
  }
  return out;
}
