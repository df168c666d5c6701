/**
 * /readyz: whether this server can do its work now, as a list of named checks (a load balancer
 * or systemd watchdog sends traffic only to a ready node; /healthz only says the process answers).
 * Today one check, "storage": the rooms folder takes a new file. A store on PostgreSQL adds its own
 * ("database reachable", "leases fresh") with `add`; a draining server adds "accepting".
 *
 * Each check resolves when fine and throws with the reason otherwise; one that takes longer than
 * LIMITS.readiness.checkTimeoutMs has failed ("timed out"). Runs are shared and their result kept
 * for LIMITS.readiness.cacheMs, so polling /readyz hard costs one run a second at most.
 */
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LIMITS } from '../limits.ts';

export interface ReadinessCheck {
  /** Short and stable: what a monitor matches on ("storage", "database", "leases"). */
  readonly name: string;
  /** Resolves when ready; throws (or rejects) with a reason in words when not. */
  run(): Promise<void> | void;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed (only when !ok). */
  reason?: string;
  ms: number;
}

/** The body of /readyz (200 when ready, 503 when not). */
export interface ReadinessReport {
  ready: boolean;
  /** The first failing check and its reason ("storage: …"), when not ready. */
  error?: string;
  checks: CheckResult[];
}

export interface ReadinessOptions {
  checkTimeoutMs?: number;
  cacheMs?: number;
  now?: () => number;
}

export class Readiness {
  private readonly checks: ReadinessCheck[] = [];
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private running: Promise<ReadinessReport> | null = null;
  private last: { at: number; report: ReadinessReport } | null = null;
  private logged: ReadinessReport | null = null;

  constructor(checks: readonly ReadinessCheck[] = [], options: ReadinessOptions = {}) {
    for (const check of checks) this.add(check);
    this.timeoutMs = options.checkTimeoutMs ?? LIMITS.readiness.checkTimeoutMs;
    this.cacheMs = options.cacheMs ?? LIMITS.readiness.cacheMs;
    this.now = options.now ?? Date.now;
  }

  add(check: ReadinessCheck): void {
    if (this.checks.some((c) => c.name === check.name)) throw new Error(`readiness check "${check.name}" is already there`);
    this.checks.push(check);
    this.last = null;
  }

  /** Drops the kept result: the next report runs the checks (something just changed, e.g. shutting down). */
  forget(): void {
    this.last = null;
  }

  /** Runs every check (in parallel), or answers the last run when it is recent enough. */
  report(): Promise<ReadinessReport> {
    if (this.last && this.now() - this.last.at < this.cacheMs) return Promise.resolve(this.last.report);
    this.running ??= this.runAll().then((report) => {
      // Said once per change in the server's log (with no path in it, as in the answer).
      const previous = this.last?.report ?? this.logged;
      if (previous ? previous.error !== report.error : !report.ready)
        console.error(`riffroom-server: ${report.ready ? 'ready again' : `not ready: ${report.error}`}`);
      this.logged = report;
      this.last = { at: this.now(), report };
      this.running = null;
      return report;
    });
    return this.running;
  }

  private async runAll(): Promise<ReadinessReport> {
    const checks = await Promise.all(this.checks.map((check) => this.runOne(check)));
    const failing = checks.find((c) => !c.ok);
    return failing ? { ready: false, error: `${failing.name}: ${failing.reason}`, checks } : { ready: true, checks };
  }

  private async runOne(check: ReadinessCheck): Promise<CheckResult> {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(() => check.run()), timeout]);
      return { name: check.name, ok: true, ms: Math.round(performance.now() - started) };
    } catch (err) {
      return {
        name: check.name,
        ok: false,
        reason: err instanceof Error ? err.message : String(err),
        ms: Math.round(performance.now() - started),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * "storage": a new file can be made, written, flushed and removed in the rooms folder, as a new
 * room or a checkpoint would (a full disk, a read-only mount, lost permissions, a folder that is
 * gone all fail it). Asynchronous, so a hung disk times the check out instead of the server.
 */
export function roomsFolderCheck(roomsDir: string): ReadinessCheck {
  return {
    name: 'storage',
    async run() {
      try {
        await mkdir(roomsDir, { recursive: true });
      } catch (err) {
        throw new Error(`the rooms folder cannot be made (${codeOf(err)})`);
      }
      const probe = join(roomsDir, `.readyz-${process.pid}-${randomBytes(4).toString('hex')}`);
      let file: FileHandle | undefined;
      try {
        file = await open(probe, 'wx');
        await file.write('ready\n');
        await file.sync();
      } catch (err) {
        throw new Error(`cannot write a file in the rooms folder (${codeOf(err)})`);
      } finally {
        await file?.close().catch(() => {});
      }
      try {
        await unlink(probe);
      } catch (err) {
        throw new Error(`cannot remove a file from the rooms folder (${codeOf(err)})`);
      }
    },
  };
}

/** The error's code and what it means, without the path: /readyz is public, the data folder's place is not. */
function codeOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (!e?.code) return 'unknown error';
  const meaning = /^[A-Z]+: ([^,]+)/.exec(e.message)?.[1];
  return meaning ? `${e.code}: ${meaning}` : e.code;
}
