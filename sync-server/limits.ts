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

  serverTokens: {
    /**
     * Admin and creator tokens (auth/server-tokens.ts) last this long unless told otherwise
     * (seconds), and never longer than maxSeconds: nothing revokes one before it expires but a
     * new signing secret, which ends every token and link of the server at once.
     */
    adminDefaultSeconds: 365 * 86_400,
    creatorDefaultSeconds: 90 * 86_400,
    maxSeconds: 2 * 365 * 86_400,
  },

  createdRooms: {
    /**
     * A room made over HTTP (POST /api/rooms): its owner token lasts this long (seconds) and the
     * page renews it (POST /renew) until ownerRenewableSeconds after the room was made, as the
     * desktop's owner token does.
     */
    ownerTokenSeconds: 30 * 86_400,
    ownerRenewableSeconds: 365 * 86_400,
    /** Its editor and viewer invites last this long unless the request says otherwise, and at most maxInviteSeconds. */
    inviteSeconds: 7 * 86_400,
    maxInviteSeconds: 365 * 86_400,
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
    /**
     * One presence (awareness) state: its JSON text in UTF-8 (bytes), checked before it is
     * parsed. An app page's state (name, colour, selection, activity, last edit's label) is a
     * few hundred bytes.
     */
    maxStateBytes: 8 * KiB,
    /** Presence client ids one connection may announce (a stock page has one: its document's). */
    maxClientsPerConnection: 4,
    /**
     * Presence client ids with a state in one room. Every stock client echoes the states it is
     * sent, the whole room's on joining: this must stay well under maxEntriesPerMessage, and the
     * server never sends more entries than this in one message.
     */
    maxClientsPerRoom: 256,
    /** Entries in one presence message; more closes the connection before any is read. */
    maxEntriesPerMessage: 512,
    /**
     * All presence states of one room together (bytes). A message that would take the room past
     * it is refused, unless each state it changes stays within smallStateBytes: an honest page
     * keeps its presence (and its edits their labels) in a room that others filled. So a room
     * holds at most maxRoomBytes + maxClientsPerRoom × smallStateBytes.
     */
    maxRoomBytes: 512 * KiB,
    smallStateBytes: 1 * KiB,
    /**
     * Presence bytes one connection may send per second for its own client ids, and the burst
     * above it. Entries for other connections' ids (every stock client echoes them back) are
     * dropped unread and not counted. The rate covers a label announced with each of
     * websocket.messagesPerSecond edits in a full honest state (~600 bytes); the burst covers one
     * answer to a presence query (the whole room's states), which is counted too.
     */
    bytesPerSecond: 128 * KiB,
    byteBurst: 512 * KiB,
    /**
     * Presence changes are sent out at most this often per room (ms): one message with the
     * latest state of every client that changed. The first change after a quiet spell goes at once.
     */
    fanOutMs: 50,
    /**
     * A state not renewed for this long is dropped (ms), as y-protocols does (stock clients renew
     * every 15 s). A client id its connection gave up stays reserved to the same identity as long:
     * nobody else can take over a bandmate's presence while they reconnect.
     */
    outdatedMs: 30_000,
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
    /**
     * A replay download is read from the log and sent in pages of at most this many bytes of
     * updates (or one entry, when a single one is bigger) and entries: the server holds one page
     * per download, however long the history.
     */
    replayPageBytes: 1 * MiB,
    replayPageEntries: 1024,
    /**
     * Replay downloads are paced: at most this many update bytes per second to one address, and
     * to all together, each with a burst of one second's worth (a page sent early is paid for by
     * waiting before the next). Without it four parallel downloads of a 160 MiB history kept a
     * core busy at ~100 MiB/s and honest edits waited behind them (bench:hostile downloads).
     * An ordinary history (a few MB) still arrives at once; a 160 MiB one takes ~20 s.
     */
    replayBytesPerSecondPerAddress: 8 * MiB,
    replayBytesPerSecondTotal: 24 * MiB,
    /**
     * A project uploaded to POST /api/rooms/<room>/import (bytes): larger uploads are refused with
     * 413 and their partial file removed. Room logs run about twice their updates' size (a
     * 160 MiB history makes a file of ~300 MiB with its snapshots); only admins and creators may
     * upload, and an upload takes this much disk twice while it is checked and copied.
     */
    maxImportBytes: 512 * MiB,
    /**
     * After refusing an upload (413), the rest of its body is read and dropped for at most this
     * long (ms), so that the client hears why before the connection is cut (closing on unread
     * data resets the connection, and the client sees a broken pipe instead of the answer).
     */
    refusedUploadGraceMs: 5_000,
    /**
     * Addresses whose request rates are remembered; past this the least recently seen is
     * forgotten (it starts again with a full burst), so a flood of addresses cannot grow memory.
     */
    maxTrackedAddresses: 10_000,
  },

  readiness: {
    /** A readiness check (/readyz) that has not answered by then has failed ("timed out"). */
    checkTimeoutMs: 2000,
    /**
     * /readyz answers from its last run for this long: a load balancer polls it every few
     * seconds, and a flood of requests must not become a flood of probe files on the disk.
     */
    cacheMs: 1000,
  },

  bookmarks: {
    /** Bookmarks in one room. */
    maxPerRoom: 1000,
    /** A bookmark's name (characters; no control characters). */
    maxNameChars: 100,
  },

  projectFile: {
    /** A stored state or snapshot may inflate to at most this (bytes): no decompression bombs. */
    maxInflatedBytes: 64 * MiB, // rooms whose updates add up to more may inflate to 4× them (bounded-inflate.ts stateCeiling)
    /** One logged update (bytes): no message was ever accepted larger than the websocket limit. */
    maxUpdateBytes: 8 * MiB,
    /**
     * An author's name, a label or a bookmark's name in a file (characters). The server writes at
     * most 64, 200 and 100; a file with longer ones was not written by Riffroom, and each would be
     * read whole into memory by the history API.
     */
    maxTextChars: 4 * KiB,
  },

  store: {
    /** Entries in one appendBatch (one transaction; PostgreSQL takes at most 65,535 parameters). */
    maxBatchEntries: 1000,
    /** The teacher's rules as stored (JSON text, bytes). */
    maxRulesBytes: 64 * KiB,
    /** Rows read per page when a store streams entries (verify, replay, export). */
    readPageRows: 2000,
    /**
     * A room's lease lasts this long unless renewed (ms); a dead owner's room is free after it, so
     * this bounds a failover. Renewed every third of it, all of a node's leases in one statement
     * (store/room-lease.ts LeaseRenewer; deploy/SCALING.md): a node whose event loop or database
     * stalls for about two thirds of it (2 s) loses its rooms to the others (fenced, nothing lost).
     */
    leaseMs: 3_000,
  },
} as const;
