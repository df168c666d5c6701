/**
 * Loads the shipped model once, in a fresh process (as the inference host does at start), and
 * prints the milliseconds it took as JSON: reading, both hash checks and the CPU session.
 */
import { loadModelFolder } from '../../inference/node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';

const started = performance.now();
await loadModelFolder(process.argv[2] ?? SHIPPED_MODEL_DIR, { providers: ['cpu'] });
console.log(JSON.stringify({ loadMs: performance.now() - started }));
