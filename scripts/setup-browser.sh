#!/usr/bin/env bash
# Installs Debian's Chromium, which the browser tests (tests/web-inference.test.ts) drive through
# playwright-core. Best effort and idempotent: it never fails its caller; without root or apt it
# says why, and those tests skip with a message instead.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
[ -x /usr/bin/chromium ] || apt_install setup-browser 'the browser tests will be skipped' --with-recommends chromium
exit 0
