/**
 * The certificate and key the server serves https and wss with (`--tls-cert`, `--tls-key`: PEM
 * files). Everything that can be wrong with them is found here, before the server listens, and
 * said in words (TlsConfigError): a missing or unreadable file, a file that is not PEM, a key that
 * does not belong to the certificate. A server that started would otherwise fail every handshake
 * later, one confused client at a time.
 *
 * A renewed certificate (Let's Encrypt: every 60-90 days) is taken on SIGHUP (reloadTlsOnHangup):
 * the files are read and checked again, and new connections get them while open ones carry on; a
 * bad pair is refused in words and the old one kept. A restart (which drains) works too.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';

export class TlsConfigError extends Error {}

export interface TlsCredentials {
  /** The certificate chain, leaf first (PEM), as the file holds it. */
  cert: string;
  /** The private key (PEM). */
  key: string;
  /** The leaf certificate, for what the server prints at start. */
  leaf: X509Certificate;
}

/** The command line's pair: null when neither is given; both or neither. */
export function tlsFromFlags(certPath: string | undefined, keyPath: string | undefined): TlsCredentials | null {
  if (certPath === undefined && keyPath === undefined) return null;
  if (!certPath) throw new TlsConfigError('--tls-key needs --tls-cert <pem> beside it (the certificate the key belongs to)');
  if (!keyPath) throw new TlsConfigError("--tls-cert needs --tls-key <pem> beside it (the certificate's private key)");
  return loadTlsCredentials(certPath, keyPath);
}

/** Reads and checks the pair; throws TlsConfigError with a sentence a person can act on. */
export function loadTlsCredentials(certPath: string, keyPath: string): TlsCredentials {
  const cert = readPem(certPath, '--tls-cert', 'certificate');
  const key = readPem(keyPath, '--tls-key', 'private key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (err) {
    throw new TlsConfigError(`--tls-cert ${certPath}: not a PEM certificate (${reasonOf(err)})`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(key) || /passphrase/i.test(reasonOf(err));
    throw new TlsConfigError(
      encrypted
        ? `--tls-key ${keyPath}: the key is protected by a passphrase; give the server an unencrypted key (readable by it alone)`
        : `--tls-key ${keyPath}: not a PEM private key (${reasonOf(err)})`,
    );
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new TlsConfigError(
      `--tls-key ${keyPath} does not belong to the certificate in --tls-cert ${certPath} (subject ${oneLine(leaf.subject)}): give the key that was made with this certificate`,
    );
  }
  try {
    // What the https server will do with them: catches a chain OpenSSL itself refuses.
    createSecureContext({ cert, key });
  } catch (err) {
    throw new TlsConfigError(`--tls-cert ${certPath} with --tls-key ${keyPath}: OpenSSL refuses them (${reasonOf(err)})`);
  }
  return { cert, key, leaf };
}

/** Warnings worth printing at start (the server runs anyway): a certificate out of its dates. */
export function certificateWarnings(leaf: X509Certificate, now = new Date()): string[] {
  const warnings: string[] = [];
  if (now.getTime() > Date.parse(leaf.validTo)) {
    warnings.push(`the certificate expired on ${leaf.validTo}: browsers and clients will refuse it until it is renewed`);
  } else if (now.getTime() < Date.parse(leaf.validFrom)) {
    warnings.push(`the certificate is not valid before ${leaf.validFrom}: check this machine's clock`);
  }
  return warnings;
}

function readPem(path: string, flag: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TlsConfigError(`${flag} ${path}: no such file (the ${what}, PEM)`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new TlsConfigError(`${flag} ${path}: this server (user id ${process.getuid?.() ?? '?'}) may not read it`);
    if (code === 'EISDIR') throw new TlsConfigError(`${flag} ${path}: a folder, not the ${what} file`);
    throw new TlsConfigError(`${flag} ${path}: cannot read it (${code ?? reasonOf(err)})`);
  }
  if (!text.includes('-----BEGIN '))
    throw new TlsConfigError(`${flag} ${path}: not a PEM file (no "-----BEGIN" line): the ${what} must be PEM`);
  return text;
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(subject: string): string {
  return subject.split('\n').join(', ');
}

/**
 * On SIGHUP, reads the pair again and hands it to `apply` (RunningServer.replaceTls); what
 * happened goes to the log in one line. Without TLS nothing is installed: SIGHUP keeps Node's
 * default (the process ends, as when the terminal that started it closes).
 */
export function reloadTlsOnHangup(
  paths: { cert: string; key: string } | null,
  apply: (tls: TlsCredentials) => void,
  log: { info(line: string): void; error(line: string): void } = { info: console.log, error: console.error },
): void {
  if (!paths) return;
  process.on('SIGHUP', () => {
    try {
      const tls = loadTlsCredentials(paths.cert, paths.key);
      apply(tls);
      log.info(`riffroom-server: SIGHUP: certificate reloaded (${tls.leaf.subject.split('\n').join(', ')}, valid to ${tls.leaf.validTo})`);
      for (const warning of certificateWarnings(tls.leaf)) log.error(`riffroom-server: warning: ${warning}`);
    } catch (err) {
      log.error(`riffroom-server: SIGHUP: kept the certificate in use: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}
