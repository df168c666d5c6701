/** Writes riffroom-v1.vocab.json beside this file (run after changing vocabulary.ts). */
import { writeFileSync } from 'node:fs';
import { vocabularyJson } from './vocabulary.ts';

writeFileSync(new URL('./riffroom-v1.vocab.json', import.meta.url), vocabularyJson());
