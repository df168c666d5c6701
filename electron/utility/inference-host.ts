/** Entry of the bundled inference utility process (electron/build.ts → electron/dist/inference-host.mjs). */
import { runHost } from '../../inference/node/host.ts';

runHost().catch((error) => {
  console.error(`inference host: ${(error as Error).message}`);
  process.exit(2);
});
