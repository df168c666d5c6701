/**
 * Every limit the sync server enforces against its peers, in one place. A peer over a limit is
 * told why (a close reason, an HTTP error, a 'refused' jam message); the room and its log are
 * never touched by what broke the limit. The figures are sized for honest use with a wide margin
 * (a class of 30 behind one school address, a 64-bar song of 8 tracks, several tabs per person)
 * and far below what hurts a server: see bench/hostile/ for what each one withstands.
 *
 * Server options may tighten or loosen some of them (tests do); the defaults are these.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

export const LIMITS = {
  secret: {
    /** A signing secret shorter than this (bytes) is refused: the server will not start with it. */
    minBytes: 32,
  },

  tokens: {
    /** Longest token accepted anywhere (characters). */
    maxChars: 4096,
    /** Display names in tokens (characters; no control characters). */
    maxNameChars: 64,
    /** Identity ids in tokens: 1 to this many letters, digits, '-' or '_'. */
    maxIdChars: 64,
    /** A personal token got from an invite (POST /join) lasts this long, at most until the invite's end (seconds). */
    joinedTokenSeconds: 12 * 3600,
  },

  websocket: {
    /** Largest websocket message accepted (bytes); bigger ones close the connection with 1009. */
    maxMessageBytes: 8 * MiB,
    /** Sustained document messages per second per connection, and the burst above it. */
    messagesPerSecond: 200,
    messageBurst: 400,
    /**
     * Presence messages per second per connection. Larger than for documents: the stock
     * y-websocket client echoes every presence change it receives back to the server.
     */
    awarenessPerSecond: 2000,
    awarenessBurst: 4000,
    /** A peer with this many bytes queued to it cannot keep up and is disconnected. */
    maxBufferedBytes: 32 * MiB,
    /** Open websocket connections (documents and jam channels together) from one address. */
    maxConnectionsPerAddress: 128,
    /** Open websocket connections under one identity (a token's id: one person's tabs). */
    maxConnectionsPerIdentity: 16,
    /** New websocket upgrades per second from one address, and the burst above it. */
    upgradesPerSecond: 20,
    upgradeBurst: 60,
  },

  presence: {
    /** One presence (awareness) state, as JSON text (characters). */
    maxStateChars: 8 * KiB,
    /** Presence client ids one connection may announce (a page has one). */
    maxClientsPerConnection: 4,
    /** Entries in one presence message (a stock client echoes the whole room's on joining). */
    maxEntriesPerMessage: 512,
    /** All presence states of one room together (characters). */
    maxRoomChars: 1 * MiB,
    /** Presence bytes one connection may send per second, and the burst above it. */
    bytesPerSecond: 128 * KiB,
    byteBurst: 512 * KiB,
    /** Presence changes are sent out at most this often per room (ms): one message for all of them. */
    fanOutMs: 50,
  },

  pending: {
    /*
     * Updates whose dependencies the server does not have (room/pending-guard.ts). Honest peers of
     * one server never send them: the server has everything they built on. The wait is for
     * updates reordered on their way (a later multi-node design, a side channel between tabs),
     * which complete within milliseconds; nothing of a waiting update is applied, logged or sent.
     * Past any of these, the peers whose updates wait are closed (4400), most bytes first.
     */
    /** Bytes of updates that may wait in one room: a few ordinary edits, not a flood. */
    maxBytes: 256 * KiB,
    /** Updates that may wait in one room: every later message checks each (a map lookup or two). */
    maxUpdates: 256,
    /** How long one may wait (ms): reordered updates complete long before. */
    maxMs: 10_000,
    /**
     * How often one waiting update may be decoded again, after something it waited on came, and
     * found still short: at most this many decodes more than receiving it cost.
     */
    maxRechecks: 8,
  },

  jam: {
    /** Jam channel members in one room. */
    maxMembersPerRoom: 256,
  },

  http: {
    /** API requests per second from one address, and the burst above it. */
    requestsPerSecond: 50,
    requestBurst: 100,
    /** Heavy API requests (replay updates, past states) running at once, per address and in all. */
    maxHeavyPerAddress: 4,
    maxHeavyTotal: 16,
    /** JSON request bodies (bytes). */
    maxBodyBytes: 64 * KiB,
    /** Entries per history page, and per replay download. */
    maxHistoryLimit: 10_000,
    maxReplayLimit: 100_000,
  },

  bookmarks: {
    /** Bookmarks in one room. */
    maxPerRoom: 1000,
    /** A bookmark's name (characters; no control characters). */
    maxNameChars: 100,
  },

  projectFile: {
    /** A stored state or snapshot may inflate to at most this (bytes): no decompression bombs. */
    maxInflatedBytes: 64 * MiB,
    /** One logged update (bytes): no message was ever accepted larger than the websocket limit. */
    maxUpdateBytes: 8 * MiB,
    /**
     * An author's name, a label or a bookmark's name in a file (characters). The server writes at
     * most 64, 200 and 100; a file with longer ones was not written by Riffroom, and each would be
     * read whole into memory by the history API.
     */
    maxTextChars: 4 * KiB,
  },
} as const;
