/**
 * What the About box says, built once at build time (renderer/build.ts writes it as about.json
 * beside index.html) from the shipped model's card (models/<id>/model.json) and package.json:
 * the app's name, version and licence; the model's name, id, sha256, size and what it does; the
 * data it learned from with each dataset's licence and credit (the Groove MIDI Dataset asks for
 * its credit, CC BY 4.0); how it was measured; and, in plain words, what the user owns.
 *
 * Pure: the card comes in as parsed JSON and every field is checked, so a card missing a field
 * fails the build with its name rather than shipping an About box that says "undefined".
 */

/** The file renderer/build.ts writes beside index.html. */
export const ABOUT_FILE = 'about.json';

export interface AboutDataset {
  name: string;
  license: string;
  /** The credit the dataset asks for (Groove), or its source. */
  credit: string;
  use: string;
}

export interface AboutInfo {
  app: { name: string; version: string; license: string };
  model: {
    id: string;
    name: string;
    description: string;
    sha256: string;
    bytes: number;
    parameters: number;
    /** One line on how it was trained: where, how long, how many tokens. */
    training: string;
    /** One line per role on how it did against the 4-gram baseline on held-out songs. */
    evaluation: string[];
    datasets: AboutDataset[];
    dataNote: string;
  };
  /** Plain words on ownership and on what the model learned from, for the About box and the export dialog. */
  ownership: string[];
  /** The third-party licences' file beside index.html. */
  licensesFile: string;
}

export class AboutInfoError extends Error {
  override name = 'AboutInfoError';
}

type Json = Record<string, unknown>;

function field<T>(obj: unknown, path: string, check: (v: unknown) => v is T): T {
  let at: unknown = obj;
  for (const key of path.split('.')) at = typeof at === 'object' && at !== null ? (at as Json)[key] : undefined;
  if (!check(at)) throw new AboutInfoError(`the model card has no usable ${path}`);
  return at;
}
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The plain words, the same in the About box and the export dialog. */
export const OWNERSHIP = [
  'What you make in Riffroom is yours: the songs, the parts you play and write, and the parts the AI bandmate writes for you. Riffroom claims no rights in them.',
  'The AI bandmate is a small model that runs on your machine. It learned from the datasets listed here, under their licences; it holds no copy of them, and it is not meant to reproduce any song it learned from.',
  'Exports say which parts the model wrote, so anyone you share them with can tell.',
];

export function aboutInfo(card: unknown, pkg: unknown, licensesFile: string): AboutInfo {
  const datasets = field(card, 'data.datasets', isArray).map((d, i) => {
    if (!isObject(d)) throw new AboutInfoError(`the model card's data.datasets[${i}] is not an object`);
    const name = field(d, 'name', isString);
    return {
      name,
      license: field(d, 'license', isString),
      credit: isString(d.credit) ? d.credit : isString(d.source) ? d.source : name,
      use: field(d, 'use', isString),
    };
  });
  const training = field(card, 'training', isObject);
  const hours = field(training, 'wallSeconds', isNumber) / 3600;
  const tokens = field(training, 'tokensSeen', isNumber);
  const nll = field(card, 'metrics.nll', isObject);
  const evaluation = Object.entries(nll).map(([role, m]) => {
    const reduction = field(m, 'reduction', isNumber);
    return `${role}: ${Math.round(reduction * 100)}% fewer bits per token than a 4-gram baseline on songs it never saw`;
  });
  return {
    app: { name: field(pkg, 'name', isString), version: field(pkg, 'version', isString), license: field(pkg, 'license', isString) },
    model: {
      id: field(card, 'id', isString),
      name: field(card, 'name', isString),
      description: field(card, 'description', isString),
      sha256: field(card, 'weights.sha256', isString),
      bytes: field(card, 'weights.bytes', isNumber),
      parameters: field(card, 'shape.parameters', isNumber),
      training: `${field(training, 'device', isString)}, ${hours.toFixed(1)} h, ${(tokens / 1e6).toFixed(1)} M tokens (this version's own training)`,
      evaluation,
      datasets,
      dataNote: field(card, 'data.note', isString),
    },
    ownership: OWNERSHIP,
    licensesFile,
  };
}
