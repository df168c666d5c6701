/**
 * Edit labels ("moved 3 notes") travel beside the document, not inside it: a label stored in the
 * document would leave one tombstone per edit forever and make every two concurrent edits
 * conflict on the same key. Instead each labelled transaction carries its label in
 * `transaction.meta`, and the sync layer announces it through awareness just before the update
 * goes out on the same ordered connection. The server pairs the two by (client, clock).
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';

export const EDIT_LABEL_META = 'riffroom.label';
/** The awareness field that announces the next update's label. */
export const EDIT_AWARENESS_FIELD = 'edit';
export const MAX_LABEL_LENGTH = 200;

/** What a client announces: the label of its transaction that starts at `clock`. */
export interface AnnouncedEdit {
  label: string;
  client: number;
  /** The client's clock before the transaction (its first new struct, if it inserted any). */
  clock: number;
}

/**
 * How the AI panel labels a take it keeps ("generated bass riff (seed 3)", "re-rolled chords
 * (seed 9)": renderer/generator/build-request.ts takeLabel writes them), and how the history and
 * the server's take-back tell the AI bandmate's edits from the person's who kept them (both are
 * logged under that person). Labels come from the peers: this recognises what the app's pages
 * wrote, not what a hostile peer chose to call an edit.
 */
export const AI_TAKE_VERBS = ['generated', 're-rolled'] as const;

export function isAiTakeLabel(label: string): boolean {
  return AI_TAKE_VERBS.some((verb) => label.startsWith(`${verb} `));
}

export function labelOf(transaction: Y.Transaction): string | null {
  const label = transaction.meta.get(EDIT_LABEL_META);
  return typeof label === 'string' ? label : null;
}

function changedAnything(doc: Y.Doc, transaction: Y.Transaction): boolean {
  return (
    transaction.deleteSet.clients.size > 0 ||
    (transaction.afterState.get(doc.clientID) ?? 0) > (transaction.beforeState.get(doc.clientID) ?? 0)
  );
}

/** Calls `listener` after every local labelled transaction that changed the document. */
export function watchLabels(doc: Y.Doc, listener: (label: string, transaction: Y.Transaction) => void): () => void {
  const handler = (transaction: Y.Transaction) => {
    const label = labelOf(transaction);
    if (label !== null && transaction.local && changedAnything(doc, transaction)) listener(label, transaction);
  };
  doc.on('afterTransaction', handler);
  return () => doc.off('afterTransaction', handler);
}

/**
 * Announces each local labelled edit in the awareness state. Yjs emits `afterTransaction`
 * before `update`, and y-websocket sends awareness changes at once, so the announcement
 * precedes the update on the wire.
 */
export function publishEditLabels(doc: Y.Doc, awareness: Awareness): () => void {
  return watchLabels(doc, (label, transaction) => {
    const edit: AnnouncedEdit = { label, client: doc.clientID, clock: transaction.beforeState.get(doc.clientID) ?? 0 };
    awareness.setLocalStateField(EDIT_AWARENESS_FIELD, edit);
  });
}

/** Validates an announcement from an untrusted awareness state. */
export function readAnnouncedEdit(state: unknown): AnnouncedEdit | null {
  const edit = (state as Record<string, unknown> | null)?.[EDIT_AWARENESS_FIELD] as Partial<AnnouncedEdit> | undefined;
  if (!edit || typeof edit.label !== 'string' || !Number.isSafeInteger(edit.client) || !Number.isSafeInteger(edit.clock)) return null;
  // Labels are shown to everyone: keep them short and printable.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the class names C0 controls and DEL to replace them with spaces
  const label = edit.label.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_LABEL_LENGTH);
  return { label, client: edit.client!, clock: edit.clock! };
}
