/** Test support: documents that remember the label of their last local edit. */
import * as Y from 'yjs';
import { watchLabels } from './edit-labels.ts';

const lastLabels = new WeakMap<Y.Doc, string>();

/** A document whose edit labels are recorded, so tests can read the last one. */
export function newDoc(): Y.Doc {
  const doc = new Y.Doc();
  watchLabels(doc, (label) => lastLabels.set(doc, label));
  return doc;
}

export function lastLabel(doc: Y.Doc): string | undefined {
  return lastLabels.get(doc);
}
