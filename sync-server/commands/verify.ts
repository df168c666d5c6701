/**
 * `riffroom-server verify <file>... [--json]`: "Check a file" from the command line. Reads the
 * provenance of a MIDI, WAV, Ogg Opus or MusicXML (.musicxml, .mxl) file Riffroom exported (core/provenance/read-file.ts) and
 * prints what it shows in plain words, or with --json the record itself (null when none).
 *
 * Exit status: 0 when every file carries provenance, 3 when one has none, 1 when one cannot be
 * read (not one of these formats, damaged, or a damaged record), 2 for a usage error. Scripts can
 * tell "unmarked" from "broken".
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeProvenance } from '../../core/provenance/json.ts';
import { checkFile, describeCheck, type FileCheck } from '../../core/provenance/read-file.ts';

export const VERIFY_USAGE = '  riffroom-server verify <file>... [--json]';

export const VERIFY_EXIT = { found: 0, none: 3, unreadable: 1, usage: 2 } as const;

export interface VerifyOutput {
  out(line: string): void;
  err(line: string): void;
}

const console_: VerifyOutput = { out: (l) => console.log(l), err: (l) => console.error(l) };

export function runVerify(argv: string[], io: VerifyOutput = console_, read: (path: string) => Uint8Array = readFileSync): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`verify: ${(error as Error).message}\nusage:\n${VERIFY_USAGE}`);
    return VERIFY_EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (!positionals.length) {
    io.err(`verify: name a file to check\nusage:\n${VERIFY_USAGE}`);
    return VERIFY_EXIT.usage;
  }
  let worst: FileCheck['status'] = 'found';
  for (const path of positionals) {
    let check: FileCheck;
    try {
      check = checkFile(new Uint8Array(read(path)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      check = { status: 'unreadable', format: null, reason: code === 'ENOENT' ? 'there is no such file' : (error as Error).message };
    }
    const heading = positionals.length > 1 ? `${path}:\n` : '';
    if (values.json) io.out(`${heading}${check.status === 'found' ? encodeProvenance(check.record) : 'null'}`);
    if (check.status === 'unreadable') io.err(`${heading}${describeCheck(check)}`);
    else if (!values.json) io.out(`${heading}${describeCheck(check)}`);
    if (SEVERITY.indexOf(check.status) > SEVERITY.indexOf(worst)) worst = check.status;
  }
  return VERIFY_EXIT[worst];
}

/** The worst verdict over all the files sets the exit status. */
const SEVERITY: readonly FileCheck['status'][] = ['found', 'none', 'unreadable'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
}
