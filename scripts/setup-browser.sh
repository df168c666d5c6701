#!/usr/bin/env bash
# Installs Debian's Chromium, which the browser tests (tests/web-inference.test.ts) drive through
# playwright-core. Best effort and idempotent: it never fails its caller; without root or apt it
# says why, and those tests skip with a message instead.
set -uo pipefail
browser=/usr/bin/chromium
if [ -x "$browser" ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-browser: $browser is missing and there is no root or apt-get to install it; the browser tests will be skipped" >&2
  exit 0
fi
echo "setup-browser: installing chromium from apt" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y chromium >/tmp/riffroom-apt-chromium.log 2>&1; then
  # A fresh machine may have no package lists yet.
  apt-get update >/tmp/riffroom-apt-update.log 2>&1 || true
  apt-get install -y chromium >/tmp/riffroom-apt-chromium.log 2>&1 \
    || echo "setup-browser: apt-get install chromium failed (see /tmp/riffroom-apt-chromium.log); the browser tests will be skipped" >&2
fi
exit 0
