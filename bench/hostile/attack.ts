/**
 * What an attack of bench:hostile is to the part that runs it (part.ts): it may prepare the
 * server's data dir before the server starts and look at the room before the honest peers join;
 * then it starts, runs until told to stop, and reports what it sent and how the server answered.
 */
import type { ServerProcess } from '../../tests/support/server-process.ts';

export interface AttackTarget {
  server: ServerProcess;
  room: string;
}

export interface RunningAttack {
  /** Stops every connection and request of the attack; resolves with its record. */
  stop(): Promise<Record<string, unknown>>;
}

/** A log the bench wrote itself, and the Yjs state it ends with (so checking need not replay it). */
export interface LogBase {
  seq: number;
  state: Uint8Array;
}

export interface Attack {
  readonly name: string;
  /** One line: what the attacker does. */
  readonly summary: string;
  /** How long it runs (s). */
  readonly seconds: number;
  /** Before the server starts: e.g. writes a room's log into the data dir, or makes the messages to send. */
  prepare?(dataDir: string, room: string, seconds: number): Promise<{ record: Record<string, unknown>; logBase?: LogBase }>;
  /** Once the server runs, before the honest peers join. */
  beforePeers?(target: AttackTarget): Promise<Record<string, unknown>>;
  start(target: AttackTarget): Promise<RunningAttack>;
}
