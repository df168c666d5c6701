/**
 * Provenance as named text fields, for formats that hold name/value metadata and have no place of
 * their own for it. MusicXML is the one in view: its writer puts each field in
 * `<identification><miscellaneous><miscellaneous-field name="…">value</miscellaneous-field>`
 * (the value XML-escaped), and its reader hands the fields it finds to `recordFromFields`.
 */
import { describeProvenance } from './describe.ts';
import { decodeProvenance, encodeProvenance } from './json.ts';
import type { ProvenanceRecord } from './record.ts';

/** The JSON record. */
export const FIELD_RECORD = 'riffroom-provenance';
/** The same in plain words. */
export const FIELD_TEXT = 'riffroom-provenance-text';

export interface NamedField {
  name: string;
  value: string;
}

export function provenanceFields(record: ProvenanceRecord): NamedField[] {
  return [
    { name: FIELD_RECORD, value: encodeProvenance(record) },
    { name: FIELD_TEXT, value: describeProvenance(record) },
  ];
}

/** The record among a file's fields; null without one; throws ProvenanceFormatError when it is malformed. */
export function recordFromFields(fields: readonly NamedField[]): ProvenanceRecord | null {
  const field = fields.find((f) => f.name === FIELD_RECORD);
  return field ? decodeProvenance(field.value) : null;
}
