/**
 * Commands that reach the page from outside it: the desktop app's menu (Undo, Export Audio…),
 * forwarded by the Electron platform. The app shell and the File actions listen; a browser tab
 * never sends any.
 */
import type { RendererCommand } from '../../electron/contract.ts';

export type AppCommand = RendererCommand;

const listeners = new Set<(command: AppCommand) => void>();

/** Listens for commands; returns the unsubscribe function. */
export function onAppCommand(listener: (command: AppCommand) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function dispatchAppCommand(command: AppCommand): void {
  for (const listener of [...listeners]) listener(command);
}
