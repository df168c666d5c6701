import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sha256Hex } from '../../core/hash/sha256.ts';
import { VOCABULARY_SHA256, VocabularyMismatchError, checkVocabularyFile } from './vocabulary-check.ts';
import { VOCAB, energyLevel, tempoBucket, vocabularyFile, vocabularyJson } from './vocabulary.ts';
import { PromptError, encodePrompt, sepIndex } from './prompt.ts';

const COMMITTED = new URL('./riffroom-v1.vocab.json', import.meta.url);

test('the committed vocabulary file is exactly what the tokenizer builds', () => {
  const text = readFileSync(COMMITTED, 'utf8');
  assert.equal(text, vocabularyJson(), 'regenerate with: node inference/tokenizer/write-vocabulary.ts');
  assert.equal(sha256Hex(text), VOCABULARY_SHA256);
  checkVocabularyFile(text, 'riffroom-v1.vocab.json', VOCABULARY_SHA256);
});

test('token ids are unique, dense and fit in 10 bits', () => {
  const { tokens } = vocabularyFile();
  assert.equal(new Set(tokens).size, tokens.length);
  assert.ok(tokens.length < 1024);
  assert.equal(VOCAB.id('PAD'), 0);
  for (let i = 0; i < tokens.length; i++) assert.equal(VOCAB.id(tokens[i]!), i);
});

test('a vocabulary that differs by one token, or a wrong recorded hash, is refused naming the file', () => {
  const file = vocabularyFile();
  file.tokens[100] = 'PITCH_999';
  const other = `${JSON.stringify(file, null, 2)}\n`;
  assert.throws(
    () => checkVocabularyFile(other, '/m/vocab.json'),
    (e: unknown) => e instanceof VocabularyMismatchError && e.message.startsWith('/m/vocab.json:'),
  );
  assert.throws(() => checkVocabularyFile(vocabularyJson(), '/m/vocab.json', '00'.repeat(32)), /model card records/);
  assert.throws(() => checkVocabularyFile('not json', '/m/vocab.json'), /not a JSON vocabulary/);
});

test('prompts put the conditions in a fixed order and refuse what the vocabulary cannot say', () => {
  const conditions = {
    role: 'bass' as const,
    task: 'generate' as const,
    style: 'funk',
    key: { tonic: 2, mode: 'minor' as const },
    meter: { numerator: 4, denominator: 4 },
    bpm: 96,
    bars: 4,
    energy: 2,
  };
  const tokens = encodePrompt({ conditions, chords: [{ tick: 0, root: 2, quality: 'm7' }] }).map((t) => VOCAB.token(t));
  assert.deepEqual(tokens.slice(0, 9), [
    'BOS',
    'ROLE_bass',
    'STYLE_funk',
    'KEY_D_minor',
    'METER_4/4',
    'TEMPO_2',
    'BARS_4',
    'ENERGY_2',
    'TASK_generate',
  ]);
  assert.equal(tokens[9], 'CHORDS');
  assert.equal(sepIndex(encodePrompt({ conditions })), 9);
  assert.equal(VOCAB.token(encodePrompt({ conditions: { ...conditions, style: 'polka' } })[2]!), 'STYLE_any');
  assert.equal(VOCAB.token(encodePrompt({ conditions: { ...conditions, role: 'drums' } })[3]!), 'KEY_none');
  assert.throws(() => encodePrompt({ conditions: { ...conditions, bars: 17 } }), PromptError);
  assert.throws(() => encodePrompt({ conditions: { ...conditions, energy: 5 } }), PromptError);
  assert.throws(() => encodePrompt({ conditions: { ...conditions, meter: { numerator: 11, denominator: 16 } } }), /meter 11\/16/);
});

test('tempo buckets and energy levels', () => {
  assert.deepEqual([60, 70, 84, 85, 120, 200].map(tempoBucket), [0, 1, 1, 2, 4, 7]);
  assert.equal(energyLevel('bass', 0), 0);
  assert.equal(energyLevel('bass', 100), 4);
  assert.ok(energyLevel('drums', 20) > energyLevel('drums', 12));
});
