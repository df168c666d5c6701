/**
 * Text of MIDI meta events. The SMF spec predates Unicode and says nothing about encoding: older
 * tools write Latin-1, newer ones UTF-8. We write UTF-8 and read a text as UTF-8 when it is valid
 * UTF-8, else as Latin-1 (every byte sequence is valid Latin-1, so reading never fails).
 * Hand-written because core/ has neither TextEncoder nor TextDecoder in its lib.
 */

export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const char of text) {
    let code = char.codePointAt(0)!;
    // A lone surrogate cannot be encoded; U+FFFD is what TextEncoder writes for it too.
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}

/** The text, or null when the bytes are not well-formed UTF-8 (overlong forms and surrogates rejected). */
export function decodeUtf8(bytes: Uint8Array): string | null {
  const codes: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    let length: number;
    let code: number;
    let min: number;
    if (lead < 0x80) {
      codes.push(lead);
      i++;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) [length, code, min] = [2, lead & 0x1f, 0x80];
    else if (lead >= 0xe0 && lead <= 0xef) [length, code, min] = [3, lead & 0x0f, 0x800];
    else if (lead >= 0xf0 && lead <= 0xf4) [length, code, min] = [4, lead & 0x07, 0x10000];
    else return null;
    if (i + length > bytes.length) return null;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) return null;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    codes.push(code);
    i += length;
  }
  return fromCodePoints(codes);
}

export function decodeLatin1(bytes: Uint8Array): string {
  return fromCodePoints(Array.from(bytes));
}

export function decodeMetaText(bytes: Uint8Array): string {
  return decodeUtf8(bytes) ?? decodeLatin1(bytes);
}

function fromCodePoints(codes: number[]): string {
  // In slices: String.fromCodePoint(...huge) would overflow the argument stack.
  let text = '';
  for (let i = 0; i < codes.length; i += 4096) text += String.fromCodePoint(...codes.slice(i, i + 4096));
  return text;
}
