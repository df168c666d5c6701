/**
 * The jam channel: one shared clock, the shared transport, live notes and the teacher's rules of
 * a room. Imported by the sync server, the renderer, tests and bench:jam. No Node or DOM APIs.
 *
 * Websocket: ws://host:port/<room>/jam  beside the y-websocket path of the same room, same tokens,
 * carried the same way (subprotocols: sync-server/contract.ts tokenProtocols; or ?token=<t>).
 * JSON text frames, one message each, every message carries `v`.
 *
 * Why a channel of its own: the arrangement is a CRDT (any order, any time), but time is not.
 * The session host is the one clock of the room: peers estimate their offset to it (NTP-style),
 * and the server owns the transport state, so "play", "stop", a tempo or loop change is decided
 * once, placed on the next bar line of the common timeline, and every peer schedules the same
 * downbeats. Live notes are relayed at once, not stored (a recorded take becomes a clip through
 * the document like any edit).
 */

export const JAM_VERSION = 1;

/** Milliseconds on the session host's clock (its performance.timeOrigin + performance.now()). */
export type ServerMs = number;

/**
 * One stretch of the timeline: from `anchorMs` on (until the next segment's anchor) bar
 * `anchorBar`'s downbeat sounds at `anchorMs` and later bars follow at `bpm`, wrapping inside `loop`.
 */
export interface TransportSegment {
  playing: boolean;
  /** Quarter notes per minute (as SongMeta.bpm and MIDI): a bar lasts numerator × 4/denominator quarters. */
  bpm: number;
  meter: { numerator: number; denominator: number };
  loop: { startBar: number; endBar: number } | null;
  anchorMs: ServerMs;
  anchorBar: number;
  /** A count-in before `anchorMs` (a start from stopped with countInBars), or absent/null: none. */
  countIn?: CountIn | null;
}

/**
 * Count-in clicks before a start: `bars` bars of `beats` clicks each, evenly from `startMs` up to
 * the segment's `anchorMs` (the song's first downbeat), the first click of each bar accented. The
 * music is silent meanwhile; positionAt reports `countIn: true` with bars counting up to the start
 * bar from below (fromBar 0 with 2 bars: bars -2 and -1). downbeats() lists the song's bar lines
 * only; countInClicks() lists these.
 */
export interface CountIn {
  /** Whole bars, 1 to JAM_LIMITS.maxCountInBars. */
  bars: number;
  /** When the first count-in click sounds (server ms). */
  startMs: ServerMs;
  /** Clicks per bar (the meter's numerator when it was asked for). */
  beats: number;
}

/**
 * Where the music is, decided by the server. Bars count from 0; the meter is the song's. Its own
 * segment (the TransportSegment fields) holds from `anchorMs` on: bar `anchorBar`'s downbeat
 * sounds at `anchorMs`, later bars follow at `bpm` (wrapping inside `loop`); while stopped,
 * `anchorBar` marks where play resumes. `countIn` is set by a play from stopped with
 * countInBars ≥ 1 and kept on the segment (in `earlier`) once a later change lands.
 */
export interface TransportState extends TransportSegment {
  /** Bumped by every change; a change applies from `anchorMs` on. */
  revision: number;
  /** Who made the last change (display name), for the UI. */
  changedBy: string;
  /**
   * The segments in effect before `anchorMs`, latest first (each ends where the one before it in
   * this list begins; the first ends at `anchorMs`). A change is announced before it sounds, so
   * until `anchorMs` the music follows these: positions before a change never move. The server
   * keeps the last few seconds' worth; absent or empty means the state's own values held before.
   * Use core/jam/timeline.ts rather than reading this by hand.
   */
  earlier?: TransportSegment[];
}

/** A change someone asks for; the server places it on the next bar line (or later, see JAM_LEAD_MS). */
export type TransportRequest =
  /**
   * countInBars (0–4 whole bars, default 0): from stopped, that many bars of count-in clicks at the
   * current tempo and meter sound first (from the first moment JAM_LEAD_MS ahead) and bar
   * `fromBar`'s downbeat lands right after them (state.countIn). Ignored while playing (the jump
   * lands on the next bar line as without it).
   *
   * atMs (server ms), from stopped without a count-in: start there rather than JAM_LEAD_MS ahead
   * — a player already playing on their own (pressed play before the channel was up) asks for
   * their own next bar line, so the room joins them there instead of their music jumping. One
   * less than JAM_LEAD_MS ahead when it arrives moves on by whole bars (fromBar with it) to the
   * first bar line that far ahead; more than JAM_LIMITS.maxPlayAheadMs away, it is ignored.
   */
  | { action: 'play'; fromBar?: number; countInBars?: number; atMs?: number }
  | { action: 'stop' }
  | { action: 'tempo'; bpm: number }
  | { action: 'loop'; loop: { startBar: number; endBar: number } | null }
  | { action: 'meter'; meter: { numerator: number; denominator: number } };

/**
 * A change lands on a bar line at least this far in the future on the server's clock, so every
 * peer hears about it before it sounds (a LAN round trip is a few ms; the rest is scheduling).
 */
export const JAM_LEAD_MS = 150;

/** One note played live. `at`: when it was played, on the server's clock (the player's estimate). */
export interface LiveNote {
  kind: 'on' | 'off';
  /** MIDI pitch, an integer 0–127. */
  pitch: number;
  /** MIDI velocity 0–127 (0 is fine for 'off'). */
  velocity: number;
  /** The track it is played on (its instrument), or null for the player's default. */
  trackId: string | null;
  at: ServerMs;
}

/**
 * The teacher's rules for a room; only the owner changes them; the server enforces them on every
 * write path (core/jam/student-rules.ts decides, for the server and the page alike) and keeps them
 * in the room's log (each change is a history entry), so a restart or an unload keeps them.
 */
export interface RoomRules {
  /**
   * Only the owner may change the transport: students' transport requests are refused, and their
   * document changes to the song's tempo, meter and loop (which drive it) are reverted.
   */
  transportLocked: boolean;
  /**
   * What non-owners may do: 'edit' everything (a band); 'own-track' only their own tracks and
   * those tracks' clips (a track's ownerId is their identity id: tracks they created or were
   * given), not the song's meta, chords or sections, and no restores; 'live-only' play live notes
   * but not edit the document, restore or bookmark.
   */
  students: 'edit' | 'own-track' | 'live-only';
  /** A track everyone's view and mix spotlights (solo-in-place for listening), or null. */
  spotlightTrackId: string | null;
}

export const DEFAULT_RULES: RoomRules = { transportLocked: false, students: 'edit', spotlightTrackId: null };

/** The jam channel's path beside the room's y-websocket path: `${wsUrl}${jamPath(room)}?token=...`. */
export function jamPath(room: string): string {
  return `/${encodeURIComponent(room)}/jam`;
}

/**
 * What the server accepts. Over a limit: a frame too large closes with CLOSE.tooLarge (1009), too
 * many messages with CLOSE.rateLimited; binary frames, text that is not JSON, a message that is
 * not an object with `v: 1` and a string `type` close with CLOSE.malformed. A well-formed message
 * with bad values (wrong types, out of range, too many notes, not allowed) is answered 'refused'
 * and the connection stays.
 */
export const JAM_LIMITS = {
  maxMessageBytes: 64 * 1024,
  maxNotesPerMessage: 64,
  maxTrackIdLength: 128,
  /** Bars are whole numbers from 0 to this. */
  maxBar: 100_000,
  /** countInBars of a play request: a whole number from 0 to this. */
  maxCountInBars: 4,
  /** How far ahead a play request's atMs may be (ms). */
  maxPlayAheadMs: 8000,
  minBpm: 20,
  maxBpm: 400,
  maxMeterNumerator: 32,
  meterDenominators: [1, 2, 4, 8, 16] as readonly number[],
} as const;

/**
 * Who may do what (the server enforces it; 'refused' otherwise):
 * - transport: owner and editors; only the owner when rules.transportLocked. Viewers never.
 * - live notes: owner and editors (students under any rules, 'live-only' included). Viewers never:
 *   a viewer link is a listener's.
 * - rules: the owner only. A change is saved in the room's log before it is broadcast (a history
 *   entry "set the rules: ..."); one that cannot be saved is refused.
 * - document writes (the y-websocket path): under students 'live-only' only the owner's are
 *   applied; anyone else's is handled as a viewer's (the connection is closed with 4403). Under
 *   'own-track', and for tempo, meter and loop under transportLocked, the server applies a
 *   student's update and reverts it at once, for everyone, when it touched what is not theirs
 *   (another's or nobody's track, the song's meta, chords or sections): logged as the server's
 *   "reverted <name>'s edit: <reason>". The page's guard refuses the same edits before they go out.
 * - history HTTP routes: a student's restore is refused (403) under 'live-only' and 'own-track',
 *   and under transportLocked when it would change the tempo, meter or loop; a bookmark under
 *   'live-only'.
 */
export type JamClientMessage =
  /** `t0`: the client's clock when sent (ms). */
  | { v: 1; type: 'ping'; id: number; t0: number }
  | { v: 1; type: 'transport'; request: TransportRequest }
  | { v: 1; type: 'live'; notes: LiveNote[] }
  /** The client's own clock estimate, relayed to the room so the UI can show each peer's figures. */
  | { v: 1; type: 'clock-report'; offsetMs: number; rttMs: number }
  | { v: 1; type: 'rules'; rules: RoomRules }
  /**
   * Renews this connection's token without reconnecting (the server closes a jam connection with
   * 4401 'token expired' at its token's exp): a token for the same room, identity id and role
   * (POST /api/rooms/<room>/renew makes one). Answered 'token' with the new exp, or 'refused'
   * (request: 'token') saying why; a refused renewal leaves the connection as it was.
   */
  | { v: 1; type: 'token'; token: string };

/**
 * The room's members (peers): the welcome carries the whole list once, this connection included;
 * after it only what changed travels, in order: 'peer-joined' and 'peer-left' as they happen,
 * and the members' clock reports gathered into one 'peer-clocks' message at most once a second
 * per room (only the members whose figures changed). Applying them in order to the welcome's list
 * gives the server's list. Sending the whole list on every change cost every member the whole
 * room on each join (a flood of joins made the server send gigabytes).
 */
export type JamServerMessage =
  /** `id`: this connection's identity (its token's id: the same in every tab of one person). */
  | {
      v: 1;
      type: 'welcome';
      clientId: string;
      id: string;
      name: string;
      role: 'owner' | 'editor' | 'viewer';
      transport: TransportState;
      rules: RoomRules;
      peers: JamPeer[];
    }
  /** t1: server clock when the ping arrived; t2: when the pong left. */
  | { v: 1; type: 'pong'; id: number; t0: number; t1: ServerMs; t2: ServerMs }
  | { v: 1; type: 'transport'; transport: TransportState }
  | { v: 1; type: 'live'; from: string; name: string; notes: LiveNote[]; relayedAt: ServerMs }
  /** Someone joined the room's jam channel (never sent to the joiner: its welcome lists it). */
  | { v: 1; type: 'peer-joined'; peer: JamPeer }
  /** A member left (its connection closed). */
  | { v: 1; type: 'peer-left'; clientId: string }
  /** The latest clock figures of the members that reported since the last such message. */
  | { v: 1; type: 'peer-clocks'; clocks: JamPeerClock[] }
  | { v: 1; type: 'rules'; rules: RoomRules }
  /** The connection's token was renewed: it now ends at `exp` (seconds since the epoch). */
  | { v: 1; type: 'token'; exp: number }
  /** A request that was refused (bad message, not allowed by the rules); the connection stays. */
  | { v: 1; type: 'refused'; reason: string; request?: string };

export interface JamPeer {
  /** This connection (one per tab). */
  clientId: string;
  /** Who it is: the token's identity id (the same for one person's tabs; tracks are owned by it). */
  id: string;
  name: string;
  role: 'owner' | 'editor' | 'viewer';
  /** The peer's last clock report, or null before its first. */
  offsetMs: number | null;
  rttMs: number | null;
}

/** One member's clock figures, as in its JamPeer. */
export interface JamPeerClock {
  clientId: string;
  offsetMs: number;
  rttMs: number;
}
