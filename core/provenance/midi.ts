/**
 * Provenance in a Standard MIDI File: two meta events at tick 0 of the first (conductor) track.
 *
 * - A sequencer-specific meta event (FF 7F) holding the record as JSON: its data starts with the
 *   manufacturer id 7D (set aside by the MIDI Association for non-commercial use, so no maker's
 *   own format is claimed) and the tag "Riffroom\0", then the UTF-8 JSON. DAWs keep such events
 *   and ignore them.
 * - A text event (FF 01) with the same in plain words ("Riffroom provenance: …"), which DAWs and
 *   MIDI tools list.
 */
import type { MidiEvent, SmfFile } from '../midi/smf-types.ts';
import { decodeUtf8, encodeUtf8 } from '../midi/text.ts';
import { describeProvenance } from './describe.ts';
import { decodeProvenance, encodeProvenance, ProvenanceFormatError } from './json.ts';
import type { ProvenanceRecord } from './record.ts';

export const SEQUENCER_SPECIFIC = 0x7f;
/** Manufacturer id for non-commercial and educational use. */
const NON_COMMERCIAL_ID = 0x7d;
const TAG = [NON_COMMERCIAL_ID, ...encodeUtf8('Riffroom'), 0];
export const MIDI_TEXT_PREFIX = 'Riffroom provenance: ';

export function provenanceMidiEvents(record: ProvenanceRecord): MidiEvent[] {
  const json = encodeUtf8(encodeProvenance(record));
  const data = new Uint8Array(TAG.length + json.length);
  data.set(TAG);
  data.set(json, TAG.length);
  return [
    { type: 'text', kind: 'text', tick: 0, text: MIDI_TEXT_PREFIX + describeProvenance(record) },
    { type: 'meta', tick: 0, metaType: SEQUENCER_SPECIFIC, data },
  ];
}

export interface MidiProvenance {
  /** The record, when the file has one. */
  record: ProvenanceRecord | null;
  /** The plain-words text event, when there is one. */
  text: string | null;
}

/** Reads the events back from any track; throws ProvenanceFormatError when the JSON is there but unreadable. */
export function readMidiProvenance(file: SmfFile): MidiProvenance {
  let record: ProvenanceRecord | null = null;
  let text: string | null = null;
  for (const track of file.tracks) {
    for (const e of track.events) {
      if (e.type === 'text' && e.kind === 'text' && text === null && e.text.startsWith(MIDI_TEXT_PREFIX)) {
        text = e.text.slice(MIDI_TEXT_PREFIX.length);
      } else if (e.type === 'meta' && e.metaType === SEQUENCER_SPECIFIC && record === null && hasTag(e.data)) {
        const json = decodeUtf8(e.data.subarray(TAG.length));
        if (json === null) throw new ProvenanceFormatError('the provenance event is not UTF-8 text');
        record = decodeProvenance(json);
      }
    }
  }
  return { record, text };
}

function hasTag(data: Uint8Array): boolean {
  return data.length >= TAG.length && TAG.every((b, i) => data[i] === b);
}
