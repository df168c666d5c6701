/** Standard MIDI File reading and writing: the byte-level layer under song import and export. */
export { readSmf } from './smf-read.ts';
export { writeSmf } from './smf-write.ts';
export * from './smf-types.ts';
