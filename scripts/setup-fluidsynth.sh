#!/usr/bin/env bash
# Installs Debian's fluidsynth, the second SoundFont player that checks the shipped bank
# (tests/bank-fluidsynth.test.ts). Best effort and idempotent: it never fails its caller; without
# root or apt it says why, and that test skips with a message instead.
set -uo pipefail
if command -v fluidsynth >/dev/null; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-fluidsynth: fluidsynth is missing and there is no root or apt-get to install it; the bank's fluidsynth test will be skipped" >&2
  exit 0
fi
echo "setup-fluidsynth: installing fluidsynth from apt" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends fluidsynth >/tmp/riffroom-apt-fluidsynth.log 2>&1; then
  # A fresh machine may have no package lists yet.
  apt-get update >/tmp/riffroom-apt-update.log 2>&1 || true
  apt-get install -y --no-install-recommends fluidsynth >/tmp/riffroom-apt-fluidsynth.log 2>&1 \
    || echo "setup-fluidsynth: apt-get install fluidsynth failed (see /tmp/riffroom-apt-fluidsynth.log); the bank's fluidsynth test will be skipped" >&2
fi
exit 0
