/**
 * The seam between the room registry and the cluster's routing (DESIGN.md "Hosted topology"):
 * opening a room whose lease another live node holds fails with this error, naming that node, so
 * the caller relays the peer or request there instead of serving the room here.
 */
export class RoomOwnedElsewhereError extends Error {
  override name = 'RoomOwnedElsewhereError';
  readonly room: string;
  /** The node id in `room_leases` that holds the room now. */
  readonly node: string;
  /** When that node's lease runs out unless it renews it (ms since the epoch, the database's clock). */
  readonly expiresAt: number;

  constructor(room: string, node: string, expiresAt: number) {
    super(`room ${room} is served by node ${node}`);
    this.room = room;
    this.node = node;
    this.expiresAt = expiresAt;
  }
}
