#!/usr/bin/env node
// Launcher for `npx riffroom-server`. The server is TypeScript run by Node 24's type stripping;
// on an older node this re-runs itself with the Node 24 that scripts/setup.sh installs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import(cli);
} else {
  const node24 = fileURLToPath(new URL('../../.tools/node24/node_modules/.bin/node', import.meta.url));
  if (!existsSync(node24)) {
    console.error(`riffroom-server needs Node 24 or newer (this is ${process.version}); run: bash scripts/setup.sh`);
    process.exit(1);
  }
  const child = spawn(node24, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  // SIGHUP too: it reloads the TLS certificate (systemd's ExecReload sends it to this process).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
}
