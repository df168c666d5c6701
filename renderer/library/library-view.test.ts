import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterClips } from '../../core/library/library-query.ts';
import { libraryClip } from '../../tests/support/library-fixtures.ts';
import { explanations, facets, NO_FILTERS, queryOf, summaryOf } from './library-view.ts';

const clips = [
  libraryClip({ id: 'a', tags: ['verse'] }),
  libraryClip({
    id: 'b',
    role: 'drums',
    style: 'rock',
    provenance: { source: 'model', author: 'bob', sourceSong: 'B', seed: 3, model: { id: 'v2', sha256: 'x' } },
  }),
];

test('the filter form becomes a query; empty fields mean any', () => {
  assert.deepEqual(queryOf(NO_FILTERS), {});
  const q = queryOf({ ...NO_FILTERS, role: 'drums', key: '4:minor', tempoMin: '100', energy: '0', origin: 'ai', text: '  ' });
  assert.deepEqual(q, { role: 'drums', key: { tonic: 4, mode: 'minor' }, tempo: { min: 100, max: 1000 }, energy: 0, origin: 'ai' });
  assert.deepEqual(
    filterClips(clips, queryOf({ ...NO_FILTERS, origin: 'ai' })).map((c) => c.id),
    ['b'],
  );
  assert.deepEqual(filterClips(clips, queryOf({ ...NO_FILTERS, tempoMax: '90' })), []);
});

test('facets list what the library holds; summaries and explanations say why', () => {
  assert.deepEqual(facets(clips), { styles: ['funk', 'rock'], moods: ['verse'], authors: ['alice', 'bob'] });
  assert.equal(summaryOf(clips[1]!), 'drums · rock · E minor · 112 BPM · sparse · by bob · AI');
  const made = explanations(clips[1]!).find((r) => r.label === 'Made by')!;
  assert.equal(made.value, 'AI v2 · seed 3');
  assert.match(made.because, /asked by bob/);
});
