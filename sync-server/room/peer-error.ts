/** A protocol violation by a peer: the connection is closed with this code and reason. */
export class PeerError extends Error {
  override name = 'PeerError';
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}
