/** Short random ids for tracks, clips, notes and chords (62^10 ≈ 8e17: collisions are not a concern). */
import * as random from 'lib0/random';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function newId(length = 10): string {
  let id = '';
  // lib0's uint32 comes from the platform's cryptographic random source (Node or browser).
  for (let i = 0; i < length; i++) id += ALPHABET[random.uint32() % 62];
  return id;
}
