/**
 * Undo and redo of this user's own edits only. A Y.UndoManager tracks transactions whose origin
 * is core's LOCAL_EDIT (every typed edit in core/song/edits.ts); a bandmate's edits arrive with
 * the provider as origin and are never on this stack, so undo never takes back their work even
 * when it came later.
 *
 * Each step is one labelled edit (no merging by time: a drag is already one edit). The undo and
 * redo transactions get labels too ("undid moved clip to bar 3"), so the server's history reads
 * well; publishEditLabels announces them like any other local edit.
 */
import * as Y from 'yjs';
import { EDIT_LABEL_META, labelOf } from '../../core/song/edit-labels.ts';
import { LOCAL_EDIT } from '../../core/song/edits.ts';
import { songScope } from '../../core/song/schema.ts';

const LABEL = 'label';

export interface UndoState {
  canUndo: boolean;
  canRedo: boolean;
  /** Label of the edit the next undo takes back ("moved clip to bar 3"), or null. */
  undoLabel: string | null;
  redoLabel: string | null;
}

export class LocalUndo {
  private readonly manager: Y.UndoManager;
  private readonly doc: Y.Doc;
  private readonly listeners = new Set<() => void>();
  private state: UndoState = { canUndo: false, canRedo: false, undoLabel: null, redoLabel: null };
  /** Label of the transaction now ending, seen before the UndoManager files it. */
  private pendingLabel: string | null = null;

  constructor(doc: Y.Doc, options: { trackedOrigin?: unknown } = {}) {
    this.doc = doc;
    this.manager = new Y.UndoManager(songScope(doc), {
      trackedOrigins: new Set([options.trackedOrigin ?? LOCAL_EDIT]),
      // Every labelled edit is its own step, however fast the next one follows.
      captureTimeout: 0,
    });
    // `beforeObserverCalls` fires inside each transaction, before the UndoManager's
    // afterTransaction handler files it on a stack.
    doc.on('beforeObserverCalls', this.onBeforeObservers);
    this.manager.on('stack-item-added', this.onStackItem);
    this.manager.on('stack-item-updated', this.onStackItem);
    this.manager.on('stack-item-popped', this.onChange);
    this.manager.on('stack-cleared', this.onChange);
  }

  getState = (): UndoState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Takes back this user's latest edit; false when there is none. */
  undo(): boolean {
    return this.manager.undo() !== null;
  }

  redo(): boolean {
    return this.manager.redo() !== null;
  }

  destroy(): void {
    this.doc.off('beforeObserverCalls', this.onBeforeObservers);
    this.manager.destroy();
    this.listeners.clear();
  }

  private readonly onBeforeObservers = (transaction: Y.Transaction): void => {
    if (transaction.origin === this.manager) {
      // An undo or redo is running: label its transaction after the edit it takes back.
      const item = this.manager.currStackItem;
      const label = (item?.meta.get(LABEL) as string | undefined) ?? null;
      this.pendingLabel = label;
      if (label !== null) transaction.meta.set(EDIT_LABEL_META, `${this.manager.undoing ? 'undid' : 'redid'} ${label}`);
    } else {
      this.pendingLabel = labelOf(transaction);
    }
  };

  private readonly onStackItem = (event: { stackItem: { meta: Map<unknown, unknown> } }): void => {
    // The item pushed by an undo (onto the redo stack) keeps the original edit's label.
    if (this.pendingLabel !== null) event.stackItem.meta.set(LABEL, this.pendingLabel);
    this.onChange();
  };

  private readonly onChange = (): void => {
    const top = (stack: { meta: Map<unknown, unknown> }[]) => (stack.at(-1)?.meta.get(LABEL) as string | undefined) ?? null;
    this.state = {
      canUndo: this.manager.undoStack.length > 0,
      canRedo: this.manager.redoStack.length > 0,
      undoLabel: top(this.manager.undoStack),
      redoLabel: top(this.manager.redoStack),
    };
    for (const l of [...this.listeners]) l();
  };
}
