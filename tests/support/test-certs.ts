/**
 * Certificates made by the real openssl for TLS tests, in a temp folder: a throwaway CA, a server
 * certificate it signed for 127.0.0.1 and localhost (subjectAltName: what clients check), a
 * self-signed certificate no one trusts, and a key that belongs to neither. Clients that should
 * trust the server get `ca`; Chromium gets `spki` (--ignore-certificate-errors-spki-list).
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export interface TestCerts {
  dir: string;
  /** The CA's certificate (PEM): what a client that trusts the server is given. */
  ca: string;
  /** The server's certificate (signed by the CA) and its key: files for --tls-cert/--tls-key. */
  certFile: string;
  keyFile: string;
  /** A self-signed certificate for the same names, its key, and a key of no certificate. */
  selfSignedCertFile: string;
  selfSignedKeyFile: string;
  otherKeyFile: string;
  /** base64 sha256 of the server certificate's public key (SubjectPublicKeyInfo, DER). */
  spki: string;
  remove(): void;
}

const NAMES = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

/** Why the TLS tests cannot run here (no openssl command), or null when they can. */
export function opensslMissing(): string | null {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'the openssl command is not installed (bash scripts/setup-openssl.sh installs it as root with apt)';
  }
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`openssl ${args.join(' ')} failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
  }
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Riffroom test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(
    join(dir, 'server.ext'),
    `${NAMES}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    NAMES,
  ]);
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key']);
  const certFile = join(dir, 'server.pem');
  const spkiDer = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    certFile,
    keyFile: join(dir, 'server.key'),
    selfSignedCertFile: join(dir, 'self.pem'),
    selfSignedKeyFile: join(dir, 'self.key'),
    otherKeyFile: join(dir, 'other.key'),
    spki: createHash('sha256').update(spkiDer).digest('base64'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The `ws` WebSocket class, trusting `ca` (and nothing else): what a stock y-websocket provider
 * or a JamClient gets as its WebSocket to reach a server with a test certificate. Records every
 * URL it opens, to check that no token is in one.
 */
export function trustingWebSocket(ca: string | undefined, opened: string[] = []): typeof WebSocket {
  return class TrustingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      opened.push(String(url));
      super(url, protocols, ca === undefined ? {} : { ca });
    }
  } as typeof WebSocket;
}
