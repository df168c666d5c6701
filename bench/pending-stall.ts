/**
 * Issue 13, item 5 by hand: how long the server's event loop stalls on each message of an editor
 * that sends updates whose dependencies never arrive (each one built on an edit it never sends).
 *
 *   node bench/pending-stall.ts [--messages 100] [--items 400] [--cli <path to sync-server/cli.ts>]
 *
 * Starts the server CLI (this checkout's, or `--cli` another's: the old code, to compare), opens an
 * attacker socket and, per step, sends a real edit and one such update, then a presence query on
 * the same socket: the reply's round trip is the time the server spent on the step (it handles a
 * socket's messages in order). A closed attacker reconnects and goes on. Prints one line per
 * tenth of the run and a JSON summary.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC } from '../sync-server/contract.ts';
import { TEST_SECRET, testToken } from '../tests/support/server-process.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100' },
    items: { type: 'string', default: '400' },
    cli: { type: 'string', default: fileURLToPath(new URL('../sync-server/cli.ts', import.meta.url)) },
  },
});
const messages = Number(values.messages);
const items = Number(values.items);
const room = 'stall';

/**
 * The attack, one message per step: a real edit by the attacker's "driver" client (accepted and
 * logged), then a second client's items inserted after the driver's last edit, which is never
 * sent. Every step's real edit moves the driver's clock past what the waiting items were last
 * found missing, so Yjs retries (decodes and integrates again) everything waiting, every time.
 */
function attackSteps(): Uint8Array[][] {
  const driver = new Y.Doc();
  const edits: Uint8Array[] = [];
  driver.on('update', (u: Uint8Array) => edits.push(u));
  const list = new Y.Array<number>();
  driver.getMap('tracks').set('attack', list);
  for (let i = 0; i <= messages; i++) list.push([i]); // the last one is never sent
  const steps: Uint8Array[][] = [];
  for (let i = 0; i < messages; i++) {
    const orphan = new Y.Doc();
    Y.applyUpdate(orphan, Y.encodeStateAsUpdate(driver));
    const before = Y.encodeStateVector(orphan);
    const theirs = orphan.getMap('tracks').get('attack') as Y.Array<number>;
    theirs.push(Array.from({ length: items }, (_, j) => j));
    for (let j = 0; j < items; j += 2) theirs.insert(theirs.length - j, [j]); // many structs, not one run
    steps.push([edits[i]!, Y.encodeStateAsUpdate(orphan, before)]);
  }
  return steps;
}

function frame(type: number, update?: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  if (update) {
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint8Array(encoder, update);
  }
  return encoding.toUint8Array(encoder);
}

const dataDir = mkdtempSync(join(tmpdir(), 'riffroom-stall-'));
const child = spawn(process.execPath, [values.cli!, '--port', '0', '--data', dataDir, '--web', 'none'], {
  env: { ...process.env, RIFFROOM_SECRET: TEST_SECRET },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));
const port = await new Promise<number>((resolve, reject) => {
  child.stdout.on('data', () => {
    const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
    if (m) resolve(Number(m[1]));
  });
  child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
});

interface Attacker {
  ws: WebSocket;
  replies: (() => void)[];
  closed: boolean;
  closeReason: string;
}

async function connect(): Promise<Attacker> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${room}?token=${testToken(room, 'editor', 'mallory')}`);
  const attacker: Attacker = { ws, replies: [], closed: false, closeReason: '' };
  ws.on('error', () => {});
  ws.on('close', (code, reason) => {
    attacker.closed = true;
    attacker.closeReason = `${code} ${reason.toString()}`;
    for (const reply of attacker.replies.splice(0)) reply();
  });
  await new Promise((resolve) => ws.once('message', resolve));
  ws.on('message', (data: Buffer) => {
    if (data[0] !== MESSAGE_SYNC) attacker.replies.shift()?.();
  });
  return attacker;
}

const steps = attackSteps();
const stalls: number[] = [];
const closes: string[] = [];
let attacker = await connect();
for (let i = 0; i < messages; i++) {
  if (attacker.closed) {
    closes.push(`after message ${i}: ${attacker.closeReason}`);
    attacker = await connect();
  }
  const answered = new Promise<void>((resolve) => attacker.replies.push(resolve));
  const started = performance.now();
  for (const update of steps[i]!) attacker.ws.send(frame(MESSAGE_SYNC, update));
  attacker.ws.send(frame(MESSAGE_QUERY_AWARENESS));
  await answered;
  stalls.push(performance.now() - started);
  if ((i + 1) % Math.max(1, Math.floor(messages / 10)) === 0) console.log(`message ${i + 1}: ${stalls[i]!.toFixed(1)} ms`);
}
attacker.ws.close();
child.kill('SIGTERM');
const sorted = [...stalls].sort((a, b) => a - b);
console.log(
  JSON.stringify(
    {
      cli: values.cli,
      messages,
      waitingBytesPerStep: steps[0]![1]!.byteLength,
      firstMs: +stalls[0]!.toFixed(1),
      lastMs: +stalls.at(-1)!.toFixed(1),
      medianMs: +sorted[Math.floor(sorted.length / 2)]!.toFixed(1),
      maxMs: +sorted.at(-1)!.toFixed(1),
      totalSeconds: +(stalls.reduce((a, b) => a + b, 0) / 1000).toFixed(2),
      closes,
    },
    null,
    2,
  ),
);
