#!/usr/bin/env bash
# The one command that runs every test on a fresh machine: sets up, then runs the suite.
# Ends with the line `N passed, N failed`. Arguments narrow the run (e.g. `bash scripts/test.sh core`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/setup.sh"
bash "$root/scripts/setup-python.sh"
bash "$root/scripts/setup-vulkan.sh"
bash "$root/scripts/setup-browser.sh"
bash "$root/scripts/setup-openssl.sh"
bash "$root/scripts/setup-deploy-tools.sh"
bash "$root/scripts/setup-audio-tools.sh"
bash "$root/scripts/setup-notation-tools.sh"
bash "$root/scripts/setup-postgres.sh"
cd "$root"
npm run --silent typecheck
exec node scripts/run-tests.ts "$@"
