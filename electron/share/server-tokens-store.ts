/**
 * Keeps the creator tokens the user gave "Share online…", one per server, so the token is typed
 * once. Never in plain text on disk: each token is encrypted by a SecretCipher (in the app,
 * Electron's safeStorage: the OS keychain, DPAPI or libsecret; main/index.ts passes it in) and
 * only the ciphertext is written, to `<userData>/server-tokens.json`. Where the cipher is not
 * available (safeStorage on a Linux without a keyring, say), nothing is written: the token is
 * kept in memory for this run and `persistence()` says why, for the dialog to tell the user.
 *
 * Plain Node, no Electron import: tested with a fake cipher.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The part of Electron's safeStorage used here (structural). */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export type Persistence = { kept: true } | { kept: false; reason: string };

interface FileShape {
  v: 1;
  /** origin → base64 of the ciphertext */
  tokens: Record<string, string>;
}

const MAX_SERVERS = 64;

export class ServerTokenStore {
  private readonly file: string;
  private readonly cipher: SecretCipher | null;
  /** Tokens of this run when they cannot be written (or could not be read back). */
  private readonly memory = new Map<string, string>();

  constructor(file: string, cipher: SecretCipher | null) {
    this.file = file;
    this.cipher = cipher;
  }

  persistence(): Persistence {
    if (!this.cipher) return { kept: false, reason: 'this system offers no encrypted storage to Riffroom' };
    let available = false;
    try {
      available = this.cipher.isEncryptionAvailable();
    } catch {
      available = false;
    }
    return available
      ? { kept: true }
      : {
          kept: false,
          reason:
            'encrypted storage is not available on this system (no keychain or keyring), so the token is kept only until Riffroom quits',
        };
  }

  /** The token kept for `origin`, or null. A token that cannot be decrypted (another user, a new keyring) is dropped. */
  get(origin: string): string | null {
    const held = this.memory.get(origin);
    if (held) return held;
    const stored = this.read().tokens[origin];
    if (!stored || !this.persistence().kept) return null;
    try {
      return this.cipher!.decryptString(Buffer.from(stored, 'base64'));
    } catch {
      this.forget(origin);
      return null;
    }
  }

  /** Keeps `token` for `origin`: encrypted on disk when possible, else in memory; says which. */
  set(origin: string, token: string): Persistence {
    const persistence = this.persistence();
    if (!persistence.kept) {
      this.memory.set(origin, token);
      return persistence;
    }
    const data = this.read();
    delete data.tokens[origin];
    data.tokens[origin] = this.cipher!.encryptString(token).toString('base64');
    const origins = Object.keys(data.tokens);
    for (const old of origins.slice(0, Math.max(0, origins.length - MAX_SERVERS))) delete data.tokens[old];
    this.write(data);
    this.memory.delete(origin);
    return persistence;
  }

  forget(origin: string): void {
    this.memory.delete(origin);
    const data = this.read();
    if (!(origin in data.tokens)) return;
    delete data.tokens[origin];
    this.write(data);
  }

  /** Servers with a kept token (for the dialog to offer). */
  origins(): string[] {
    return [...new Set([...Object.keys(this.read().tokens), ...this.memory.keys()])];
  }

  private read(): FileShape {
    if (!existsSync(this.file)) return { v: 1, tokens: {} };
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<FileShape>;
      if (data.v !== 1 || typeof data.tokens !== 'object' || data.tokens === null) return { v: 1, tokens: {} };
      const tokens: Record<string, string> = {};
      for (const [origin, value] of Object.entries(data.tokens)) if (typeof value === 'string') tokens[origin] = value;
      return { v: 1, tokens };
    } catch {
      return { v: 1, tokens: {} };
    }
  }

  private write(data: FileShape): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify(data), { mode: 0o600 });
      renameSync(temp, this.file);
    } finally {
      rmSync(temp, { force: true });
    }
  }
}
