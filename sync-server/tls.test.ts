import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certificateWarnings, loadTlsCredentials, TlsConfigError, tlsFromFlags } from './tls.ts';
import { makeTestCerts, opensslMissing } from '../tests/support/test-certs.ts';

const skip = opensslMissing() ?? false;

test('a certificate and its key load; every wrong pair is refused in words', { skip }, () => {
  const certs = makeTestCerts();
  try {
    const ok = loadTlsCredentials(certs.certFile, certs.keyFile);
    assert.match(ok.cert, /BEGIN CERTIFICATE/);
    assert.match(ok.leaf.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(tlsFromFlags(undefined, undefined), null, 'no flags: plain http');

    const refused = (cert: string | undefined, key: string | undefined, pattern: RegExp) => {
      assert.throws(
        () => tlsFromFlags(cert, key),
        (err: unknown) => {
          assert.ok(err instanceof TlsConfigError, `a TlsConfigError, not ${err}`);
          assert.match(err.message, pattern);
          return true;
        },
      );
    };
    refused(certs.certFile, undefined, /--tls-cert needs --tls-key/);
    refused(undefined, certs.keyFile, /--tls-key needs --tls-cert/);
    refused(join(certs.dir, 'missing.pem'), certs.keyFile, /--tls-cert .*missing\.pem: no such file/);
    refused(certs.certFile, join(certs.dir, 'missing.key'), /--tls-key .*missing\.key: no such file/);
    mkdirSync(join(certs.dir, 'a-folder'));
    refused(join(certs.dir, 'a-folder'), certs.keyFile, /a folder, not the certificate file/);
    writeFileSync(join(certs.dir, 'garbage.pem'), 'hello\n');
    refused(join(certs.dir, 'garbage.pem'), certs.keyFile, /not a PEM file/);
    writeFileSync(join(certs.dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    refused(join(certs.dir, 'broken.pem'), certs.keyFile, /not a PEM certificate/);
    refused(certs.keyFile, certs.keyFile, /not a PEM certificate/);
    refused(certs.certFile, certs.certFile, /not a PEM private key/);
    refused(certs.certFile, certs.otherKeyFile, /does not belong to the certificate .*CN=127\.0\.0\.1/);
    refused(certs.certFile, certs.selfSignedKeyFile, /does not belong to the certificate/);
  } finally {
    certs.remove();
  }
});

test('a certificate out of its dates is a warning at start', { skip }, () => {
  const certs = makeTestCerts();
  try {
    const leaf = new X509Certificate(loadTlsCredentials(certs.certFile, certs.keyFile).cert);
    assert.deepEqual(certificateWarnings(leaf), []);
    assert.match(certificateWarnings(leaf, new Date(Date.now() + 10 * 86_400_000))[0] ?? '', /expired on/);
    assert.match(certificateWarnings(leaf, new Date(Date.now() - 10 * 86_400_000))[0] ?? '', /not valid before/);
  } finally {
    certs.remove();
  }
});
