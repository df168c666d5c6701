#!/usr/bin/env bash
# Installs the programs that check the audio code against independent implementations:
# Debian's ffmpeg (its ebur128 filter is the reference tests/mastering-ffmpeg.test.ts measures
# the loudness meter against; tests/export decodes exports with it) and fluidsynth (the second
# SoundFont player that checks the shipped bank, tests/bank-fluidsynth.test.ts). Idempotent, and
# it never fails its caller: without root or apt it says what is missing; the ffmpeg tests then
# fail naming the program, the fluidsynth test skips with a message.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
mapfile -t missing < <(missing_packages ffmpeg=ffmpeg fluidsynth=fluidsynth)
[ ${#missing[@]} -eq 0 ] && exit 0
apt_install setup-audio-tools 'the tests that need them will fail or skip, naming them' "${missing[@]}"
exit 0
