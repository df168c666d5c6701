import { test } from 'node:test';
import assert from 'node:assert/strict';
import { provenanceSong } from './fixture.test-support.ts';
import { FIELD_RECORD, FIELD_TEXT, provenanceFields, recordFromFields } from './fields.ts';
import { ProvenanceFormatError } from './json.ts';
import { provenanceRecord } from './record.ts';

test('named fields (for MusicXML miscellaneous-field): the record and its words, read back by name', () => {
  const record = provenanceRecord(provenanceSong());
  const fields = provenanceFields(record);
  assert.deepEqual(
    fields.map((f) => f.name),
    [FIELD_RECORD, FIELD_TEXT],
  );
  assert.match(fields[1]!.value, /^"Night Drive": the song/);
  assert.deepEqual(recordFromFields([{ name: 'other', value: 'x' }, ...fields]), record);
  assert.equal(recordFromFields([{ name: 'other', value: 'x' }]), null);
  assert.throws(() => recordFromFields([{ name: FIELD_RECORD, value: '{' }]), ProvenanceFormatError);
});
