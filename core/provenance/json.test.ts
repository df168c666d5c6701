import { test } from 'node:test';
import assert from 'node:assert/strict';
import { provenanceSong } from './fixture.test-support.ts';
import { decodeProvenance, encodeProvenance, ProvenanceFormatError } from './json.ts';
import { provenanceRecord, withMastering } from './record.ts';

const record = () =>
  withMastering(provenanceRecord(provenanceSong(), { content: 'audio' }), { targetLufs: -14, limiter: { ceilingDbtp: -1 } });

test('the record survives JSON: same record, same one-line bytes', () => {
  const r = record();
  const json = encodeProvenance(r);
  assert.ok(!json.includes('\n'), 'one line');
  assert.equal(json, encodeProvenance(record()), 'deterministic');
  assert.deepEqual(decodeProvenance(json), r);
});

test('malformed payloads are refused, saying what is wrong', () => {
  const json = (mutate: (r: Record<string, any>) => void) => {
    const r = JSON.parse(encodeProvenance(record()));
    mutate(r);
    return JSON.stringify(r);
  };
  const refused = (text: string, pattern: RegExp) =>
    assert.throws(
      () => decodeProvenance(text),
      (e: unknown) => e instanceof ProvenanceFormatError && pattern.test(e.message),
    );
  refused('{"schema": ', /not JSON/);
  refused('[]', /record is missing or malformed/);
  refused(
    json((r) => delete r.schema),
    /does not name its format/,
  );
  refused(
    json((r) => (r.schema = 'riffroom-provenance/2')),
    /newer format \(riffroom-provenance\/2\)/,
  );
  refused(
    json((r) => (r.summary.notes.people += 1)),
    /add up to 15, not its total 14/,
  );
  refused(
    json((r) => (r.clips[1].author.kind = 'robot')),
    /clip 2's author/,
  );
  refused(
    json((r) => (r.clips[1].author.settings.style = { deep: 1 })),
    /clip 2's settings/,
  );
  refused(
    json((r) => (r.clips[0].notes = -1)),
    /clip 1's note count/,
  );
  refused(
    json((r) => (r.mastering = 'loud')),
    /mastering chain/,
  );
});

test('shares are recomputed from the counts, never taken on trust', () => {
  const text = JSON.parse(encodeProvenance(record()));
  text.summary.shares.people = 1;
  assert.equal(decodeProvenance(JSON.stringify(text)).summary.shares.people, 0.286);
});
