/** Riffroom's audio watermark: see README.md. */
export { embedWatermark, type EmbedOptions } from './embed.ts';
export { detectWatermark, type WatermarkDetection, CRC_SYNC_Z, SYNC_ONLY_Z } from './detect.ts';
export { STRENGTH, WORK_RATE, FRAME_SECONDS } from './layout.ts';
export { PAYLOAD_BITS } from './code.ts';
