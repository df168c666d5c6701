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
    /**
     * An update whose dependencies the server never received waits in the document; while such
     * updates are waiting, they may hold at most this many bytes...
     */
    maxBytes: 256 * KiB,
    /** ...for at most this long (ms). Then the peers that sent them are closed and they are dropped. */
    maxMs: 10_000,
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
    /**
     * A replay download is read from the log and sent in pages of at most this many bytes of
     * updates (or one entry, when a single one is bigger) and entries: the server holds one page
     * per download, however long the history.
     */
    replayPageBytes: 1 * MiB,
    replayPageEntries: 1024,
    /**
     * Addresses whose request rates are remembered; past this the least recently seen is
     * forgotten (it starts again with a full burst), so a flood of addresses cannot grow memory.
     */
    maxTrackedAddresses: 10_000,
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
  },
} as const;
