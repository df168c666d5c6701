/**
 * Fresh room names for rooms made without one (POST /api/rooms with no `room`): "jam-" and ten
 * random characters from an alphabet with no look-alikes (no 0/o, 1/l/i), so a name read out in
 * class or typed from a screen is typed right. 31^10 ≈ 8·10^14 names: guessing one is hopeless,
 * though a room's name is no secret (its tokens are what open it).
 */
import { randomInt } from 'node:crypto';
import { ROOM_NAME } from '../contract.ts';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

export function newRoomName(): string {
  let name = 'jam-';
  for (let i = 0; i < LENGTH; i++) name += ALPHABET[randomInt(ALPHABET.length)];
  if (!ROOM_NAME.test(name)) throw new Error(`made an invalid room name: ${name}`);
  return name;
}
