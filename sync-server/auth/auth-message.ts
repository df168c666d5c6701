/**
 * The document socket's in-band token renewal on the wire (contract.ts, next to AUTH_TOKEN_RENEWED):
 * client → server: varuint MESSAGE_AUTH, varstring token; server → client: varuint MESSAGE_AUTH,
 * varuint AUTH_TOKEN_RENEWED, varuint exp.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { AUTH_TOKEN_RENEWED, MESSAGE_AUTH } from '../contract.ts';
import { LIMITS } from '../limits.ts';

/** The token in a client's auth message, or null when the message is not one. */
export function readRenewalToken(message: Uint8Array): string | null {
  try {
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== MESSAGE_AUTH) return null;
    const token = decoding.readVarString(decoder);
    return token.length <= LIMITS.tokens.maxChars ? token : null;
  } catch {
    return null;
  }
}

export function renewalMessage(token: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AUTH);
  encoding.writeVarString(encoder, token);
  return encoding.toUint8Array(encoder);
}

export function renewedMessage(expSeconds: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AUTH);
  encoding.writeVarUint(encoder, AUTH_TOKEN_RENEWED);
  encoding.writeVarUint(encoder, Math.max(0, Math.floor(expSeconds)));
  return encoding.toUint8Array(encoder);
}

/** The new exp in a server's answer, or null when the message is not a renewal answer. */
export function readRenewed(message: Uint8Array): number | null {
  try {
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== MESSAGE_AUTH || decoding.readVarUint(decoder) !== AUTH_TOKEN_RENEWED) return null;
    return decoding.readVarUint(decoder);
  } catch {
    return null;
  }
}
