/**
 * Why the sync server could not be reached, in words, from the error a fetch gave. A certificate
 * the client does not trust is the one cause worth naming: retrying will not fix it, and the user
 * can do something (ask the host, install the host's certificate authority, fix the clock).
 *
 * Where the error comes from decides what can be known: Node's fetch (tests, tools) carries
 * OpenSSL's code in `cause.code`; the desktop app's proxy (electron/main) answers 502 with
 * Chromium's `net::ERR_CERT_…` in its error text; a browser's fetch says only "Failed to fetch"
 * (a page never learns why a connection failed), so for an https server the message names the
 * certificate as a possible cause and how to check. Pure: runs in the page and under Node.
 */

/** OpenSSL's (Node's) and Chromium's codes for an untrusted certificate, and what each means. */
const CERTIFICATE_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it comes from a certificate authority this computer does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not known to this computer',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not known to this computer',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not known to this computer',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: "it is not valid yet (check this computer's clock)",
  CERT_REVOKED: 'it was revoked',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was made for another server name',
  'net::ERR_CERT_AUTHORITY_INVALID': 'it comes from a certificate authority this computer does not trust',
  'net::ERR_CERT_COMMON_NAME_INVALID': 'it was made for another server name',
  'net::ERR_CERT_DATE_INVALID': "it has expired or is not valid yet (check this computer's clock)",
  'net::ERR_CERT_REVOKED': 'it was revoked',
  'net::ERR_CERT_INVALID': 'it is not a valid certificate',
};

/** "The server's certificate is not trusted: …" when `error` (or a cause of it) is a certificate error; else null. */
export function certificateProblem(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : null;
    const text =
      typeof e === 'string' ? e : typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : '';
    const found = code && CERTIFICATE_CODES[code] ? code : Object.keys(CERTIFICATE_CODES).find((c) => text.includes(c));
    if (found) return `The server's certificate is not trusted: ${CERTIFICATE_CODES[found]} (${found}).`;
  }
  return null;
}

/** What to tell the user when `httpUrl` did not answer `error`. */
export function unreachableProblem(httpUrl: string, error: unknown): string {
  const certificate = certificateProblem(error);
  if (certificate) return `${certificate} Ask the host to fix it, or to give you their certificate authority; retrying.`;
  if (httpUrl.startsWith('https:')) {
    return `Cannot reach the sync server at ${httpUrl}: it is down, or this browser does not trust its certificate (open ${httpUrl}/healthz to see); retrying.`;
  }
  return `Cannot reach the sync server at ${httpUrl}; retrying.`;
}
