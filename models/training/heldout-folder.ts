/**
 * `node models/training/heldout-folder.ts --data ../shared/datasets --pieces <shards>/pieces.json --out <dir>`
 * Builds a folder with the layout of ../shared/datasets that holds only the validation split's
 * pieces (symbolic links to the original files, filtered csv indexes), so eval:model can score
 * held-out songs with the same command that scores any dataset folder.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { data: { type: 'string' }, pieces: { type: 'string' }, out: { type: 'string' } } });
if (!values.data || !values.pieces || !values.out) {
  console.error('usage: node models/training/heldout-folder.ts --data <datasets> --pieces <pieces.json> --out <dir>');
  process.exit(2);
}
const data = resolve(values.data);
const out = resolve(values.out);
const valid = new Set((JSON.parse(readFileSync(values.pieces, 'utf8')) as { valid: string[] }).valid);

const link = (from: string, to: string): void => {
  mkdirSync(dirname(to), { recursive: true });
  if (!existsSync(to)) symlinkSync(from, to);
};

// POP909: one folder per song.
for (const id of valid) {
  const match = /^pop909\/(\d+)$/.exec(id);
  if (match) link(join(data, 'pop909/POP909', match[1]!), join(out, 'pop909/POP909', match[1]!));
}

/** Keeps a csv's header and the rows whose `column` names a held-out piece. */
function filterCsv(from: string, to: string, keep: (row: string) => boolean): number {
  const [header, ...rows] = readFileSync(from, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const kept = rows.filter(keep);
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, `${[header, ...kept].join('\n')}\n`);
  return kept.length;
}

// Groove: info.csv rows of held-out performances; the MIDI files are linked by drummer folder.
const groove = join(data, 'groove_midi/groove');
if (existsSync(groove)) {
  const kept = filterCsv(join(groove, 'info.csv'), join(out, 'groove_midi/groove/info.csv'), (row) =>
    valid.has(`groove/${row.split(',')[2]}`),
  );
  for (const row of readFileSync(join(out, 'groove_midi/groove/info.csv'), 'utf8').split('\n').slice(1).filter(Boolean)) {
    const file = row.split(',')[7]!;
    link(join(groove, file), join(out, 'groove_midi/groove', file));
  }
  console.error(`groove: ${kept} performances`);
}

// OpenEWLD: the lead sheets' files and their rows in the csv indexes.
const ewld = join(data, 'openewld');
if (existsSync(ewld)) {
  const sheetOf = (row: string): string => (row.startsWith('"') ? row.slice(1, row.indexOf('"', 1)) : row.split(',')[0]!);
  const isValid = (row: string): boolean => valid.has(`openewld/${sheetOf(row).replace(/\.mxl$/, '')}`);
  for (const csv of ['features.csv', 'genres.csv', 'styles.csv']) {
    if (existsSync(join(ewld, csv))) filterCsv(join(ewld, csv), join(out, 'openewld', csv), isValid);
  }
  for (const id of valid) {
    if (!id.startsWith('openewld/')) continue;
    const rel = `${id.slice('openewld/'.length)}.mxl`;
    link(join(ewld, rel), join(out, 'openewld', rel));
  }
}
console.error(`held-out folder: ${out} (${valid.size} pieces)`);
