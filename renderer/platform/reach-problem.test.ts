import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateProblem, unreachableProblem } from './reach-problem.ts';

/** The shape of Node's fetch failure: TypeError('fetch failed') with OpenSSL's code on its cause. */
function nodeFetchError(code: string): Error {
  const cause = Object.assign(new Error(code.toLowerCase().replace(/_/g, ' ')), { code });
  return new TypeError('fetch failed', { cause });
}

test("a certificate the client does not trust is named, from Node's codes or Chromium's text", () => {
  assert.equal(
    certificateProblem(nodeFetchError('SELF_SIGNED_CERT_IN_CHAIN')),
    "The server's certificate is not trusted: it comes from a certificate authority this computer does not trust (SELF_SIGNED_CERT_IN_CHAIN).",
  );
  assert.match(certificateProblem(nodeFetchError('ERR_TLS_CERT_ALTNAME_INVALID'))!, /made for another server name/);
  assert.match(certificateProblem(nodeFetchError('CERT_HAS_EXPIRED'))!, /it has expired \(CERT_HAS_EXPIRED\)/);
  // The desktop app's proxy: a 502 whose error carries Chromium's net error.
  assert.match(
    certificateProblem('the sync server did not answer: net::ERR_CERT_AUTHORITY_INVALID')!,
    /not trusted: .*\(net::ERR_CERT_AUTHORITY_INVALID\)/,
  );
  assert.equal(certificateProblem(nodeFetchError('ECONNREFUSED')), null);
  assert.equal(certificateProblem(new TypeError('Failed to fetch')), null);
});

test('an unreachable server: the certificate when known, a hint at it for https, plain words for http', () => {
  assert.match(
    unreachableProblem('https://jam.example.org', nodeFetchError('DEPTH_ZERO_SELF_SIGNED_CERT')),
    /^The server's certificate is not trusted: it is self-signed .*retrying\.$/,
  );
  // A browser's fetch says nothing more than this: for https the certificate is a possible cause.
  assert.equal(
    unreachableProblem('https://jam.example.org', new TypeError('Failed to fetch')),
    'Cannot reach the sync server at https://jam.example.org: it is down, or this browser does not trust its certificate (open https://jam.example.org/healthz to see); retrying.',
  );
  assert.equal(
    unreachableProblem('http://192.168.1.5:4455', new TypeError('Failed to fetch')),
    'Cannot reach the sync server at http://192.168.1.5:4455; retrying.',
  );
});
