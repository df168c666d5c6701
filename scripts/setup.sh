#!/usr/bin/env bash
# Prepares this checkout on a fresh machine: Node 24 (fetched from the npm registry into .tools/
# when the machine's node is older) and the npm dependencies. Safe to run again; it only does
# what is missing. Source it to get `node`/`npm` of the right version on PATH:
#   source scripts/setup.sh
# When sourced, the caller's shell options come back at the end (no stray `set -e` in a dev shell).
riffroom_saved_options="$(set +o)"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_major=24

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major node)" -lt "$want_major" ]; then
  tools="$root/.tools/node$want_major"
  if [ ! -x "$tools/node_modules/.bin/node" ]; then
    echo "setup: installing Node $want_major into .tools/ (machine node is $(node --version 2>/dev/null || echo absent))" >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --loglevel=error "node@$want_major" >&2
  fi
  # The node package's bin dir also holds npm's shims; put Node 24 first on PATH.
  export PATH="$tools/node_modules/.bin:$PATH"
fi
echo "setup: node $(node --version)" >&2

# onnxruntime-node's postinstall downloads CUDA libraries from outside the npm registry, which
# fails offline; the bundled CPU/WebGPU binaries need no download.
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
# The electron package's binary comes from GitHub, not the npm registry: the install never fetches
# it (type definitions and tests need none); `npm start` (electron/launch.ts) downloads it once.
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
stamp="$root/node_modules/.riffroom-installed"
if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
  echo "setup: npm ci" >&2
  (cd "$root" && npm ci --loglevel=error --no-audit --no-fund >&2)
  touch "$stamp"
fi
eval "$riffroom_saved_options"
unset riffroom_saved_options
