/**
 * Why a room log (a project file) cannot be opened or read. The desktop app turns `problem` into
 * its own ProjectFileError (electron/project/project-file.ts); the server logs the message and
 * refuses the room.
 */
export type LogProblem =
  | 'missing' // no file, and creating one was not asked for
  | 'cannot-open' // SQLite cannot open it (permissions, a folder)
  | 'not-sqlite' // not an SQLite database at all
  | 'damaged' // SQLite reports corruption, or a value has the wrong type or range
  | 'not-riffroom' // an SQLite file, but not a Riffroom log
  | 'newer-version' // written by a newer Riffroom
  | 'missing-tables' // a Riffroom log with tables missing
  | 'unexpected-schema' // anything in its schema that is not exactly ours (triggers, views, indexes, other tables or definitions)
  | 'too-large' // a stored value over its bound (an update, a text, a state that inflates too far)
  | 'history-broken'; // the hash chain does not hold: an entry was changed, removed or inserted

export class RoomLogError extends Error {
  override name = 'RoomLogError';
  readonly path: string;
  readonly problem: LogProblem;
  /** The reason alone, without the path (worded to follow "Cannot open <file>: "). */
  readonly reason: string;
  constructor(path: string, problem: LogProblem, reason: string) {
    super(`${path}: ${reason}`);
    this.path = path;
    this.problem = problem;
    this.reason = reason;
  }
}
