#!/usr/bin/env bash
# Installs the programs that check the audio code against independent implementations:
# Debian's ffmpeg (its ebur128 filter is the reference tests/mastering-ffmpeg.test.ts measures
# the loudness meter against; tests/export decodes exports with it) and fluidsynth (the second
# SoundFont player that checks the shipped bank, tests/bank-fluidsynth.test.ts). Idempotent, and
# it never fails its caller: without root or apt it says what is missing; the ffmpeg tests then
# fail naming the program, the fluidsynth test skips with a message.
set -uo pipefail
declare -A package_of=([ffmpeg]=ffmpeg [fluidsynth]=fluidsynth)
missing=()
for program in "${!package_of[@]}"; do
  command -v "$program" >/dev/null || missing+=("${package_of[$program]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-audio-tools: missing ${missing[*]} and there is no root or apt-get to install them; the tests that need them will fail or skip, naming them" >&2
  exit 0
fi
echo "setup-audio-tools: installing ${missing[*]} from apt" >&2
export DEBIAN_FRONTEND=noninteractive
log=/tmp/riffroom-apt-audio-tools.log
if ! apt-get install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  # A fresh machine may have no package lists yet.
  apt-get update >/tmp/riffroom-apt-update.log 2>&1 || true
  apt-get install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1 \
    || echo "setup-audio-tools: apt-get install ${missing[*]} failed (see $log); the tests that need them will fail or skip, naming them" >&2
fi
exit 0
